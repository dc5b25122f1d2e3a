"""tenant_changes: what each data version of a tenant changed, so cached answers can be patched

Written with every bump of tenants.data_version; a process holding a whole-tenant answer at an
older version reads the changes since and re-reads only the accounts they name.

Revision ID: 8c41e0d7f2b6
Revises: a41f0c7e5d2b
Create Date: 2026-11-24 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c41e0d7f2b6'
down_revision = 'a41f0c7e5d2b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tenant_changes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.Column('account_id', sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_changes_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant_changes')),
    )
    op.create_index('ix_tenant_changes_tenant_version', 'tenant_changes', ['tenant_id', 'version'], unique=False)


def downgrade():
    op.drop_index('ix_tenant_changes_tenant_version', table_name='tenant_changes')
    op.drop_table('tenant_changes')
