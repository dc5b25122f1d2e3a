"""category keys unique per tenant, not across tenants

A tree exported from one Jira site imports into another with its category keys kept.

Revision ID: dfdc435a05ad
Revises: f73f32e2ce43
Create Date: 2026-11-23 19:38:06.322650

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'dfdc435a05ad'
down_revision = 'f73f32e2ce43'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_categories_key'), type_='unique')
        batch_op.create_unique_constraint('uq_categories_tenant_key', ['tenant_id', 'key'])


def downgrade():
    # Fails if two tenants have come to share a key (one imported the other's tree): that is the point.
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_constraint('uq_categories_tenant_key', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_categories_key'), ['key'])
