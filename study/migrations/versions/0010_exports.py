"""archive exports; pseudonymized transcript versions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 21:40:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('export',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=False),
    sa.Column('raw', sa.Boolean(), nullable=False),
    sa.Column('protection', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('state', sa.Enum('running', 'ready', 'failed', 'deleted', name='exportstate', native_enum=False, create_constraint=False, length=32), nullable=False),
    sa.Column('files_total', sa.Integer(), nullable=False),
    sa.Column('files_done', sa.Integer(), nullable=False),
    sa.Column('bytes_total', sa.BigInteger(), nullable=False),
    sa.Column('bytes_done', sa.BigInteger(), nullable=False),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_study_id'), ['study_id'], unique=False)

    with op.batch_alter_table('transcript_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pseudonymized', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('transcript_version', schema=None) as batch_op:
        batch_op.drop_column('pseudonymized')

    with op.batch_alter_table('export', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_study_id'))

    op.drop_table('export')
