"""transcripts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 19:47:13.599811
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('transcript',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('recording_id', sa.Integer(), nullable=True),
    sa.Column('first_object_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['first_object_id'], ['vault_object.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recording_id'], ['recording.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('first_object_id')
    )
    with op.batch_alter_table('transcript', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcript_recording_id'), ['recording_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcript_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transcript_study_id'), ['study_id'], unique=False)

    op.create_table('transcript_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('transcript_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('vault_object_id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['transcript_id'], ['transcript.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vault_object_id'], ['vault_object.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('transcript_id', 'number'),
    sa.UniqueConstraint('vault_object_id')
    )
    with op.batch_alter_table('transcript_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcript_version_transcript_id'), ['transcript_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('transcript_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcript_version_transcript_id'))

    op.drop_table('transcript_version')
    with op.batch_alter_table('transcript', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcript_study_id'))
        batch_op.drop_index(batch_op.f('ix_transcript_respondent_id'))
        batch_op.drop_index(batch_op.f('ix_transcript_recording_id'))

    op.drop_table('transcript')
