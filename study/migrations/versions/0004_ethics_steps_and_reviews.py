"""ethics steps and reviews

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:57:04.557699
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('ethics_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('study_id')
    )
    op.create_table('step_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('submitted_by', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.ForeignKeyConstraint(['submitted_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('study_id', 'step', 'number')
    )
    with op.batch_alter_table('step_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_version_study_id'), ['study_id'], unique=False)

    op.create_table('review_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('approved', 'changes_requested', name='outcome', native_enum=False, length=32), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('item_comments', sa.Text(), nullable=False),
    sa.Column('acknowledged', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['step_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id')
    )
    with op.batch_alter_table('study_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_study_step_approved_version', 'step_version', ['approved_version_id'], ['id'])



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('study_step', schema=None) as batch_op:
        batch_op.drop_constraint('fk_study_step_approved_version', type_='foreignkey')
        batch_op.drop_column('approved_version_id')

    op.drop_table('review_decision')
    with op.batch_alter_table('step_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_version_study_id'))

    op.drop_table('step_version')
    op.drop_table('ethics_answers')
