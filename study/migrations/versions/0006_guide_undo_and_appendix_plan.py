"""guide undo and appendix plan

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:32:02.541025
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('appendix_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('study_id')
    )
    with op.batch_alter_table('interview_guide', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_json', sa.Text(), nullable=True))



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('interview_guide', schema=None) as batch_op:
        batch_op.drop_column('previous_json')

    op.drop_table('appendix_plan')
