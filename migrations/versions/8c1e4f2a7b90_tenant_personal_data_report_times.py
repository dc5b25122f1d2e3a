"""tenant personal-data report times: when its accountIds were last reported, when next due

`flask report-accounts` reports no tenant more often than Atlassian's Cycle-Period allows.

Revision ID: 8c1e4f2a7b90
Revises: 3b7d52c1a9e4
Create Date: 2026-11-24 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c1e4f2a7b90'
down_revision = '3b7d52c1a9e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accounts_reported_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('accounts_report_due_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('accounts_report_due_at')
        batch_op.drop_column('accounts_reported_at')
