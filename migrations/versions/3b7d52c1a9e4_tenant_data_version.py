"""tenant data_version: grows with every change to a tenant's skills, holdings or tree

Answers built from those tables are cached per process and served while the version they were
built at is still the tenant's.

Revision ID: 3b7d52c1a9e4
Revises: dfdc435a05ad
Create Date: 2026-11-23 20:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7d52c1a9e4'
down_revision = 'dfdc435a05ad'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('data_version')
