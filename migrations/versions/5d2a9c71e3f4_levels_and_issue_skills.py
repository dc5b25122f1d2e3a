"""levels and issue skills: a tenant's scale of levels, a level per holding, the skills issues need

Existing holdings stay unrated (level NULL) and every tenant keeps the default scale (no `levels`
rows, `expert_level` NULL) until an administrator changes it.

Revision ID: 5d2a9c71e3f4
Revises: c5e2a9d4b871
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2a9c71e3f4'
down_revision = 'c5e2a9d4b871'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expert_level', sa.SmallInteger(), nullable=True))
    with op.batch_alter_table('user_skills', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.SmallInteger(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_user_skills_level_in_range'), 'level IS NULL OR level BETWEEN 1 AND 7')
    op.create_table(
        'levels',
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.SmallInteger(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('name_key', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.CheckConstraint('level BETWEEN 1 AND 7', name=op.f('ck_levels_level_in_range')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_levels_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tenant_id', 'level', name='pk_levels'),
        sa.UniqueConstraint('tenant_id', 'name_key', name='uq_levels_tenant_name_key'),
    )
    op.create_table(
        'issue_skills',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.BigInteger(), nullable=False),
        sa.Column('skill_id', sa.Integer(), nullable=False),
        sa.Column('min_level', sa.SmallInteger(), nullable=True),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.CheckConstraint('min_level IS NULL OR min_level BETWEEN 1 AND 7',
                           name=op.f('ck_issue_skills_min_level_in_range')),
        sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_issue_skills_skill_id_skills'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_issue_skills_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_skills')),
        sa.UniqueConstraint('tenant_id', 'issue_id', 'skill_id', name='uq_issue_skills_tenant_issue_skill'),
    )
    op.create_index('ix_issue_skills_tenant_skill', 'issue_skills', ['tenant_id', 'skill_id'], unique=False)
    op.create_table(
        'issue_mirrors',
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.BigInteger(), nullable=False),
        sa.Column('owed_since', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tried_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_issue_mirrors_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tenant_id', 'issue_id', name='pk_issue_mirrors'),
    )


def downgrade():
    op.drop_table('issue_mirrors')
    op.drop_index('ix_issue_skills_tenant_skill', table_name='issue_skills')
    op.drop_table('issue_skills')
    op.drop_table('levels')
    with op.batch_alter_table('user_skills', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_skills_level_in_range'), type_='check')
        batch_op.drop_column('level')
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('expert_level')
