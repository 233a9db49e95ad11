"""The Flask extensions, created unbound and initialised by the factory."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# Limits are declared on the routes that need them (log-in, password reset); the storage
# comes from RATELIMIT_STORAGE_URI so that several workers can share Redis.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
