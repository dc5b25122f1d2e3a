"""tenant auth_epoch: grows with every change of a tenant's install state or credentials

Every process checks the epoch its cached copy of a tenant was loaded at against the database's
within a statement the request makes anyway, so an uninstall, a re-install with a new secret (and
the Forge front's installs and uninstalls) take effect on every process at once.

Revision ID: 8e1f4c2b7a90
Revises: 8c41e0d7f2b6
Create Date: 2026-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e1f4c2b7a90'
down_revision = '8c41e0d7f2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('auth_epoch')
