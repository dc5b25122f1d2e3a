"""Forge front: tenants get the site's cloud_id and a Forge flag; Forge installations get a table

A tenant is a site: Connect's clientKey and the Forge app's installations both lead to it, joined by
the site's cloudId. The Connect columns become optional for sites that only have the Forge app.

Revision ID: a41f0c7e5d2b
Revises: 8c1e4f2a7b90
Create Date: 2026-11-24 04:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a41f0c7e5d2b'
down_revision = '8c1e4f2a7b90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cloud_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('forge_installed', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_unique_constraint(batch_op.f('uq_tenants_cloud_id'), ['cloud_id'])
        batch_op.alter_column('client_key', existing_type=sa.String(length=255), nullable=True)
        batch_op.alter_column('shared_secret', existing_type=sa.String(length=255), nullable=True)
        batch_op.alter_column('base_url', existing_type=sa.String(length=255), nullable=True)

    op.create_table(
        'forge_installations',
        sa.Column('installation_id', sa.String(length=255), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('api_base_url', sa.String(length=255), nullable=False),
        sa.Column('installed', sa.Boolean(), nullable=False),
        sa.Column('system_token', sa.Text(), nullable=True),
        sa.Column('system_token_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_forge_installations_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('installation_id', name=op.f('pk_forge_installations')),
    )
    with op.batch_alter_table('forge_installations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forge_installations_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('forge_installations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forge_installations_tenant_id'))
    op.drop_table('forge_installations')
    # Tenants that only the Forge app knew have no Connect credentials: they cannot outlive this.
    op.execute("DELETE FROM tenants WHERE client_key IS NULL")
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.alter_column('base_url', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('shared_secret', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('client_key', existing_type=sa.String(length=255), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_tenants_cloud_id'), type_='unique')
        batch_op.drop_column('forge_installed')
        batch_op.drop_column('cloud_id')
