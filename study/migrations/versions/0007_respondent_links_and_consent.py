"""respondents, links, consent records and withdrawals

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:29:57.967869
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('consent_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('letter_version_id', sa.Integer(), nullable=False),
    sa.Column('letter_number', sa.Integer(), nullable=False),
    sa.Column('letter_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('form_number', sa.Integer(), nullable=False),
    sa.Column('form_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('signed_as', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('sealed_names', sa.LargeBinary(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('scan_id', sa.Integer(), nullable=True),
    sa.Column('submission', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('given_at', sa.DateTime(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['form_version_id'], ['step_version.id'], ),
    sa.ForeignKeyConstraint(['letter_version_id'], ['step_version.id'], ),
    sa.ForeignKeyConstraint(['registered_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission')
    )
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_record_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_record_study_id'), ['study_id'], unique=False)
        batch_op.create_index('uq_consent_record_current', ['respondent_id'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('consent_withdrawal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('sealed_reason', sa.LargeBinary(), nullable=True),
    sa.Column('keep_analysed', sa.Boolean(), nullable=False),
    sa.Column('destroyed', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['registered_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('respondent_id')
    )
    with op.batch_alter_table('consent_withdrawal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_withdrawal_study_id'), ['study_id'], unique=False)

    op.create_table('respondent_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('first_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], ),
    sa.ForeignKeyConstraint(['study_id'], ['study.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('respondent_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondent_invitation_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondent_invitation_study_id'), ['study_id'], unique=False)

    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_contact', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('has_email', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('created_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_respondent_created_by', 'user_account', ['created_by'], ['id'])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.drop_constraint('fk_respondent_created_by', type_='foreignkey')
        batch_op.drop_column('created_by')
        batch_op.drop_column('has_email')
        batch_op.drop_column('sealed_contact')

    with op.batch_alter_table('respondent_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_invitation_study_id'))
        batch_op.drop_index(batch_op.f('ix_respondent_invitation_respondent_id'))

    op.drop_table('respondent_invitation')
    with op.batch_alter_table('consent_withdrawal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_withdrawal_study_id'))

    op.drop_table('consent_withdrawal')
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_index('uq_consent_record_current', sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_consent_record_study_id'))
        batch_op.drop_index(batch_op.f('ix_consent_record_respondent_id'))

    op.drop_table('consent_record')
