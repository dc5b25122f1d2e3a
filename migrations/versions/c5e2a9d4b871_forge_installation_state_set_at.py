"""forge_installations.state_set_at: when Forge minted the newest lifecycle event applied

A lifecycle event older (by its Forge Invocation Token's `iat`) than the installation's last state
change is ignored: a late or replayed `installed` event can no longer undo an uninstall.

Revision ID: c5e2a9d4b871
Revises: 8e1f4c2b7a90
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e2a9d4b871'
down_revision = '8e1f4c2b7a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forge_installations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state_set_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('forge_installations', schema=None) as batch_op:
        batch_op.drop_column('state_set_at')
