"""The app with one route more, for bench/upload.py only: `POST /bench/discard`.

    gunicorn -w 2 'bench.upload_app:create_app()'

The route reads the request body as the recording upload does (64 KiB reads of
request.stream) and throws it away, so that the bench can set the encrypting upload beside
what the same server does with the same body and nothing else. It is never part of the real
app: only this wrapper, started by the bench, has it.
"""

from __future__ import annotations

from flask import Flask, current_app, request

from study import create_app as create_study_app
from study.extensions import csrf
from study.uploads import READ_SIZE, streams_upload


def create_app() -> Flask:
    """Return the app, configured from the environment as deployed, with /bench/discard."""
    app = create_study_app()

    @app.post("/bench/discard")
    @csrf.exempt
    @streams_upload
    def discard():
        """Read the whole body in READ_SIZE reads and drop it; answer with the byte count."""
        # As the recording upload does: the app's own limit is for forms.
        request.max_content_length = current_app.config["RECORDING_MAX_BYTES"] + 64 * 1024
        stream = request.stream
        size = 0
        while chunk := stream.read(READ_SIZE):
            size += len(chunk)
        return {"size": size}

    return app
