"""The skill tree: categories the admins shape over the tenant's skill catalogue. No Flask in here.

Reading: the whole tree, with or without experts, is three queries (categories, skills, holdings)
whatever the tenant's size, and is put together in Python in time linear in categories + skills +
holdings.

Order of nodes:
- categories among their siblings by `position` (the admins' order);
- inside a category, its child categories first, then its skills by `Skill.position`;
- at the root, the categories, then every skill no category holds, by name (case-insensitively).

Every change takes a lock on the tenant's row first (the UPDATE that bumps its data version, see
skills.versions; SQLite serialises writers anyway), so two admins' concurrent moves cannot make a
cycle between them and two concurrent creates cannot make two siblings of one name.
"""
from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..models import Category, Skill, UserSkill, utcnow
from . import changes as change_log
from .catalogue import ensure_skills
from .errors import InvalidInput, NotFound
from .names import InvalidName, clean_name, name_key, unique_names

# Deep enough for any catalogue people browse; bounded so that one request cannot build a tree
# whose rendering or recursion costs more than its size.
MAX_DEPTH = 20
DESCRIPTION_MAX = 4000
# An import with many mistakes names this many of them.
MAX_DETAILS = 50

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class TreeError(InvalidInput):
    """A request the tree's rules refuse (400); `code` names the rule for machines."""


class UnknownCategory(NotFound):
    """No category of this tenant has the key (404)."""

    def __init__(self, key: Any) -> None:
        super().__init__(f"No category has the key {str(key)[:64]!r}.")


def category_key(value: Any) -> str | None:
    """The canonical (lower-case) form of a category key, or None if it is not a UUID string."""
    if isinstance(value, str) and _UUID.match(value):
        return value.lower()
    return None


def clean_description(value: Any) -> str:
    """A category description: any text up to DESCRIPTION_MAX characters; null is empty."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TreeError("'description' must be a string or null.")
    if len(value) > DESCRIPTION_MAX:
        raise TreeError(f"'description' must be at most {DESCRIPTION_MAX} characters.")
    return value.strip()


# ---------------------------------------------------------------------------------------------
# Reading

@dataclass
class CategoryRow:
    id: int
    key: str
    parent_id: int | None
    display_name: str
    name_key: str
    description: str
    position: int


@dataclass
class SkillRow:
    id: int
    name: str
    name_key: str
    category_id: int | None
    position: int


@dataclass
class Catalogue:
    """A tenant's categories and skills, indexed for building the tree."""

    categories: list[CategoryRow]
    skills: list[SkillRow]
    by_id: dict[int, CategoryRow] = field(init=False)
    by_key: dict[str, CategoryRow] = field(init=False)
    child_categories: dict[int | None, list[CategoryRow]] = field(init=False)
    skills_in: dict[int | None, list[SkillRow]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.categories}
        self.by_key = {c.key: c for c in self.categories}
        self.child_categories = defaultdict(list)
        for category in sorted(self.categories, key=lambda c: (c.position, c.id)):
            self.child_categories[category.parent_id].append(category)
        self.skills_in = defaultdict(list)
        for skill in self.skills:
            self.skills_in[skill.category_id].append(skill)
        for category_id, skills in self.skills_in.items():
            if category_id is None:
                skills.sort(key=lambda s: (s.name_key, s.id))
            else:
                skills.sort(key=lambda s: (s.position, s.name_key, s.id))

    def category(self, key: Any) -> CategoryRow:
        row = self.by_key.get(category_key(key) or "")
        if row is None:
            raise UnknownCategory(key)
        return row

    def depth(self, category: CategoryRow | None) -> int:
        """1 for a root-level category, 0 for the root itself."""
        depth = 0
        while category is not None:
            depth += 1
            category = self.by_id.get(category.parent_id) if category.parent_id is not None else None
        return depth

    def height(self, category: CategoryRow) -> int:
        """Levels of categories in the subtree of `category`, itself included."""
        height, level = 0, [category]
        while level:
            height += 1
            level = [child for c in level for child in self.child_categories.get(c.id, ())]
        return height

    def is_within(self, category: CategoryRow | None, ancestor: CategoryRow) -> bool:
        """True if `category` is `ancestor` or lies below it."""
        while category is not None:
            if category.id == ancestor.id:
                return True
            category = self.by_id.get(category.parent_id) if category.parent_id is not None else None
        return False


def load_catalogue(session: Session, tenant_id: int, with_skills: bool = True) -> Catalogue:
    """The tenant's categories and (unless a change needs none) its skills: two queries."""
    categories = [CategoryRow(*row) for row in session.execute(
        select(Category.id, Category.key, Category.parent_id, Category.display_name, Category.name_key,
               Category.description, Category.position)
        .where(Category.tenant_id == tenant_id))]
    skills = [SkillRow(*row) for row in session.execute(
        select(Skill.id, Skill.name, Skill.name_key, Skill.category_id, Skill.position)
        .where(Skill.tenant_id == tenant_id))] if with_skills else []
    return Catalogue(categories, skills)


def nodes(catalogue: Catalogue, leaf: Callable[[SkillRow], Any] | None = None, field: str = "experts",
          descriptions: bool = False, parent_id: int | None = None) -> list[dict[str, Any]]:
    """The tree's nodes below `parent_id` (None: the root), in the tree's order (see the module's docstring).

    With `leaf`, each skill leaf gets `field` set to `leaf(skill)`: its experts, its count of experts,
    or a slot that a whole-tenant answer fills with its text later (skills.tenant_answers). With
    `descriptions`, a category has its description where it has a non-empty one.
    """
    found: list[dict[str, Any]] = []
    for category in catalogue.child_categories.get(parent_id, ()):
        node: dict[str, Any] = {"key": category.key, "type": "category", "displayName": category.display_name}
        if descriptions and category.description:
            node["description"] = category.description
        # Recursion is bounded by MAX_DEPTH, which every change enforces.
        node["children"] = nodes(catalogue, leaf, field, descriptions, category.id)
        found.append(node)
    for skill in catalogue.skills_in.get(parent_id, ()):
        skill_node: dict[str, Any] = {"key": skill.name, "type": "skill"}
        if leaf is not None:
            skill_node[field] = leaf(skill)
        found.append(skill_node)
    return found


def expert_counts_tree(session: Session, tenant_id: int) -> list[dict[str, Any]]:
    """The experts tree with each skill's number of experts (`expertCount`) in place of their list.

    What the expert finder draws first: about 100 KB for 2,000 skills however many people hold them,
    in three statements (categories; skills with their counts; nothing per skill).
    """
    # Grouped over the tenant's skill ids, not its tenant_id: SQLite then counts in the covering index
    # of (skill_id, account_id) (60 ms at 50,000 people x 15, where a scan by tenant takes 700), and
    # PostgreSQL hashes one parallel scan (150-250 ms, where a count per skill took a second).
    tenant_skills = select(Skill.id).where(Skill.tenant_id == tenant_id)
    held = (select(UserSkill.skill_id, func.count().label("n")).where(UserSkill.skill_id.in_(tenant_skills))
            .group_by(UserSkill.skill_id).subquery())
    skills, counts = [], {}
    for *row, count in session.execute(
            select(Skill.id, Skill.name, Skill.name_key, Skill.category_id, Skill.position, held.c.n)
            .outerjoin(held, held.c.skill_id == Skill.id).where(Skill.tenant_id == tenant_id)):
        skills.append(SkillRow(*row))
        counts[row[0]] = count or 0
    catalogue = Catalogue(load_catalogue(session, tenant_id, with_skills=False).categories, skills)
    return nodes(catalogue, lambda skill: counts.get(skill.id, 0), field="expertCount")


class UnknownSkill(NotFound):
    """No user of this tenant holds the skill and no category names it (404)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"No one holds a skill called {name!r} and no category names it.")


def skill_experts(session: Session, tenant_id: int, name: str) -> tuple[str, list[str], dict[str, int | None]]:
    """A skill's name as stored, the accounts holding it and each one's level (None: not rated).

    The accounts highest level first, the unrated last, and in the order they acquired it within a level.
    """
    # One statement: the skill's row, joined to its holders if it has any (an unknown skill: no row).
    rows = session.execute(select(Skill.name, UserSkill.account_id, UserSkill.level)
                           .outerjoin(UserSkill, UserSkill.skill_id == Skill.id)
                           .where(Skill.tenant_id == tenant_id, Skill.name_key == name_key(name))
                           .order_by(UserSkill.id)).all()
    if not rows:
        raise UnknownSkill(name)
    held = [(account, level) for _, account, level in rows if account is not None]
    held.sort(key=lambda holding: -holding[1] if holding[1] is not None else 0)  # stable: the order acquired stays
    return rows[0][0], [account for account, _ in held], dict(held)


def skill_tree(session: Session, tenant_id: int) -> list[dict[str, Any]]:
    """The tree of the experts route without experts; a category's description where it has one."""
    return tree_of(load_catalogue(session, tenant_id))


def tree_of(catalogue: Catalogue) -> list[dict[str, Any]]:
    return nodes(catalogue, descriptions=True)


def category_view(catalogue: Catalogue, category: CategoryRow) -> dict[str, Any]:
    """One category as the management routes answer it: its fields, place and subtree."""
    parent = catalogue.by_id.get(category.parent_id) if category.parent_id is not None else None
    siblings = catalogue.child_categories.get(category.parent_id, [])
    return {
        "key": category.key,
        "type": "category",
        "displayName": category.display_name,
        "description": category.description,
        "parentKey": parent.key if parent else None,
        "position": next(i for i, c in enumerate(siblings) if c.id == category.id),
        "children": nodes(catalogue, descriptions=True, parent_id=category.id),
    }


def category_answer(session: Session, tenant_id: int, key: str) -> dict[str, Any]:
    catalogue = load_catalogue(session, tenant_id)
    return category_view(catalogue, catalogue.category(key))


# ---------------------------------------------------------------------------------------------
# Changing one category

def record_tree_change(session: Session, tenant_id: int) -> None:
    """Log that this transaction changes the tenant's tree, under a new data version: cached answers
    rebuild their tree, not their holdings (skills.changes). The version's bump holds the tenant's
    row, which serialises the tenant's tree changes (see the module's docstring): every change calls this first.
    """
    change_log.record(session, tenant_id, (), tree=True)


def _check_sibling_name(catalogue: Catalogue, parent_id: int | None, display_name: str,
                        exclude_id: int | None = None) -> None:
    key = name_key(display_name)
    for sibling in catalogue.child_categories.get(parent_id, ()):
        if sibling.id != exclude_id and sibling.name_key == key:
            where = f"'{catalogue.by_id[parent_id].display_name}'" if parent_id is not None else "the root"
            raise TreeError(f"A category named {sibling.display_name!r} is already in {where}; "
                            "sibling names must differ (case-insensitively).", code="duplicate_name")


def _check_depth(depth: int) -> None:
    if depth > MAX_DEPTH:
        raise TreeError(f"The tree would be {depth} categories deep; at most {MAX_DEPTH} levels are allowed.",
                        code="too_deep")


def _renumber(session: Session, rows: list[CategoryRow], parent_id: int | None) -> None:
    """Give `rows`, in order, the positions 0..n-1 under `parent_id`, writing only what changed."""
    changes = [{"id": row.id, "parent_id": parent_id, "position": i}
               for i, row in enumerate(rows) if row.position != i or row.parent_id != parent_id]
    if changes:
        session.execute(update(Category), changes)  # ORM bulk UPDATE by primary key: one executemany
    for i, row in enumerate(rows):
        row.parent_id, row.position = parent_id, i


def create_category(session: Session, tenant_id: int, display_name: str, description: str,
                    parent_key: str | None) -> str:
    """A new category, last among its siblings; its key."""
    record_tree_change(session, tenant_id)
    catalogue = load_catalogue(session, tenant_id, with_skills=False)
    parent = catalogue.category(parent_key) if parent_key is not None else None
    parent_id = parent.id if parent else None
    _check_depth(catalogue.depth(parent) + 1)
    _check_sibling_name(catalogue, parent_id, display_name)
    siblings = catalogue.child_categories.get(parent_id, [])
    category = Category(tenant_id=tenant_id, parent_id=parent_id, display_name=display_name,
                        name_key=name_key(display_name), description=description,
                        position=max((s.position for s in siblings), default=-1) + 1)
    session.add(category)
    session.flush()
    return category.key


_UNSET: Any = object()


def update_category(session: Session, tenant_id: int, key: str, display_name: str | None = None,
                    description: str | None = None, parent_key: str | None = _UNSET,
                    position: int | None = None) -> None:
    """Rename, describe, move (`parent_key`, None for the root) and reorder one category.

    `position` is the 0-based index among its siblings after the move; without it a moved
    category goes last and an unmoved one stays where it is.
    """
    record_tree_change(session, tenant_id)
    catalogue = load_catalogue(session, tenant_id, with_skills=False)
    category = catalogue.category(key)
    old_parent_id = category.parent_id
    if parent_key is _UNSET:
        new_parent_id = old_parent_id
    elif parent_key is None:
        new_parent_id = None
    else:
        new_parent = catalogue.category(parent_key)
        if catalogue.is_within(new_parent, category):
            raise TreeError(f"{category.display_name!r} cannot move into itself or one of its own subcategories.",
                            code="cycle")
        _check_depth(catalogue.depth(new_parent) + catalogue.height(category))
        new_parent_id = new_parent.id
    if display_name is not None or new_parent_id != old_parent_id:
        _check_sibling_name(catalogue, new_parent_id, display_name or category.display_name, exclude_id=category.id)
    siblings = [c for c in catalogue.child_categories.get(new_parent_id, []) if c.id != category.id]
    if position is not None and position > len(siblings):
        raise TreeError(f"'position' must be between 0 and {len(siblings)} here.", code="bad_position")

    values: dict[str, Any] = {}
    if display_name is not None:
        values.update(display_name=display_name, name_key=name_key(display_name))
    if description is not None:
        values["description"] = description
    if values:
        session.execute(update(Category).where(Category.id == category.id).values(**values))
    if new_parent_id != old_parent_id or position is not None:
        if new_parent_id != old_parent_id:
            _renumber(session, [c for c in catalogue.child_categories.get(old_parent_id, []) if c.id != category.id],
                      old_parent_id)
        index = len(siblings) if position is None else position
        _renumber(session, siblings[:index] + [category] + siblings[index:], new_parent_id)


def delete_category(session: Session, tenant_id: int, key: str) -> None:
    """Delete a category; its subcategories take its place under its parent, its skills join the parent's."""
    record_tree_change(session, tenant_id)
    catalogue = load_catalogue(session, tenant_id)
    category = catalogue.category(key)
    parent_id = category.parent_id
    children = catalogue.child_categories.get(category.id, [])
    siblings = catalogue.child_categories.get(parent_id, [])
    taken = {s.name_key: s.display_name for s in siblings if s.id != category.id}
    clashes = [c.display_name for c in children if c.name_key in taken]
    if clashes:
        where = f"'{catalogue.by_id[parent_id].display_name}'" if parent_id is not None else "the root"
        raise TreeError(f"Deleting {category.display_name!r} would put two categories of one name in {where}; "
                        "rename or move one of them first.", code="duplicate_name",
                        details=[f"{name!r} is already in {where}." for name in clashes])

    skills = catalogue.skills_in.get(category.id, [])
    if skills:
        if parent_id is None:  # root-level skills are ordered by name, their position unused
            moved = [{"id": s.id, "category_id": None, "position": 0} for s in skills]
        else:  # after the parent's own skills, in their order
            start = max((s.position for s in catalogue.skills_in.get(parent_id, [])), default=-1) + 1
            moved = [{"id": s.id, "category_id": parent_id, "position": start + i} for i, s in enumerate(skills)]
        session.execute(update(Skill), moved)
    index = next(i for i, s in enumerate(siblings) if s.id == category.id)
    _renumber(session, siblings[:index] + children + siblings[index + 1:], parent_id)
    session.execute(delete(Category).where(Category.id == category.id, Category.tenant_id == tenant_id))


def place_skills(session: Session, tenant_id: int, key: str, names: list[str]) -> None:
    """Make `names` (cleaned, distinct) exactly the skills directly in the category, in that order.

    Skills not yet in the catalogue are created; a listed skill leaves the category it was in; the
    category's skills that are not listed go back to the root.
    """
    record_tree_change(session, tenant_id)
    catalogue = load_catalogue(session, tenant_id, with_skills=False)
    category = catalogue.category(key)
    found = ensure_skills(session, tenant_id, names)
    session.execute(update(Skill).where(Skill.tenant_id == tenant_id, Skill.category_id == category.id)
                    .values(category_id=None, position=0))
    if names:
        session.execute(update(Skill), [{"id": found[name_key(name)][0], "category_id": category.id, "position": i}
                                        for i, name in enumerate(names)])


def clean_skill_names(values: Any) -> list[str]:
    """A request's list of skill names, cleaned, duplicates (case-insensitive) counted once."""
    if not isinstance(values, list):
        raise TreeError("'skills' must be an array of skill names.")
    names, problems = unique_names(values)
    if problems:
        raise TreeError("Some skill names are not valid; nothing was changed.", details=problems[:MAX_DETAILS])
    return names


# ---------------------------------------------------------------------------------------------
# Replacing the whole tree (import)

@dataclass
class ImportedCategory:
    key: str | None
    display_name: str
    description: str | None  # None: keep what a category of this key has, else empty
    parent: int | None  # index into ImportedTree.categories
    position: int


@dataclass
class ImportedSkill:
    name: str
    category: int | None  # index into ImportedTree.categories
    position: int


@dataclass
class ImportedTree:
    categories: list[ImportedCategory]
    skills: list[ImportedSkill]


def parse_tree(nodes: Any) -> ImportedTree:
    """Check a tree in the shape GET /api/skill-tree answers; every mistake is named in one TreeError.

    Other properties of a node (a leaf's `experts`) are ignored. Category keys, when given, must be
    UUIDs and are kept; a skill may be named once only.
    """
    if not isinstance(nodes, list):
        raise TreeError("'skillTree' must be an array of nodes.")
    tree = ImportedTree([], [])
    problems: list[str] = []
    keys: set[str] = set()
    skill_keys: set[str] = set()
    # (nodes, parent index, depth of these nodes, path): iterative, so a deep tree cannot overflow.
    pending: list[tuple[list[Any], int | None, int, str]] = [(nodes, None, 1, "skillTree")]
    while pending and len(problems) < MAX_DETAILS:
        siblings, parent, depth, path = pending.pop()
        names: set[str] = set()
        skill_position = 0
        category_position = 0
        for i, node in enumerate(siblings):
            where = f"{path}[{i}]"
            if not isinstance(node, dict):
                problems.append(f"{where}: a node must be an object.")
                continue
            # The documented example's leaves carry no "type": a node with children or a
            # displayName is a category, any other a skill, so such exports import as they are.
            if "type" in node:
                kind = node["type"]
            else:
                kind = "category" if "children" in node or "displayName" in node else "skill"
            if kind == "skill":
                try:
                    name = clean_name(node.get("key"), "A skill's 'key'")
                except InvalidName as err:
                    problems.append(f"{where}.key: {err}")
                    continue
                if name_key(name) in skill_keys:
                    problems.append(f"{where}.key: the skill {name!r} is named twice; a skill sits in one place only.")
                    continue
                skill_keys.add(name_key(name))
                tree.skills.append(ImportedSkill(name, parent, skill_position))
                skill_position += 1
            elif kind == "category":
                key = node.get("key")
                if key is not None:
                    key = category_key(key)
                    if key is None:
                        problems.append(f"{where}.key: a category's key must be a UUID (or left out for a new one).")
                    elif key in keys:
                        problems.append(f"{where}.key: the key {key} is given to two categories.")
                    else:
                        keys.add(key)
                try:
                    display_name = clean_name(node.get("displayName"), "A category's 'displayName'")
                    if name_key(display_name) in names:
                        problems.append(f"{where}.displayName: {display_name!r} is already a sibling's name; "
                                        "sibling names must differ (case-insensitively).")
                    names.add(name_key(display_name))
                except InvalidName as err:
                    problems.append(f"{where}.displayName: {err}")
                    display_name = ""
                description = None
                if "description" in node:
                    try:
                        description = clean_description(node["description"])
                    except TreeError as err:
                        problems.append(f"{where}.description: {err.message}")
                children = node.get("children", [])
                if not isinstance(children, list):
                    problems.append(f"{where}.children: must be an array of nodes.")
                if depth > MAX_DEPTH:
                    problems.append(f"{where}: the tree is deeper than {MAX_DEPTH} levels of categories.")
                    continue
                # Kept even when wrong, so that its children are checked too (the tree is then thrown away).
                tree.categories.append(ImportedCategory(key, display_name, description, parent, category_position))
                category_position += 1
                if children and isinstance(children, list):
                    pending.append((children, len(tree.categories) - 1, depth + 1, f"{where}.children"))
            else:
                problems.append(f"{where}.type: must be 'category' or 'skill'.")
    if problems:
        raise TreeError("The skill tree is not valid; nothing was changed.", details=problems[:MAX_DETAILS])
    return tree


def replace_tree(session: Session, tenant_id: int, tree: ImportedTree) -> None:
    """Make `tree` the tenant's catalogue, in a fixed number of statements per 2,000 rows.

    Users keep their skills. Skills the tree does not name stay in the catalogue as root-level
    leaves; skills it names that the catalogue lacks are created. Categories are replaced: a given
    key is kept, and a category without a `description` keeps the one its key had.
    """
    record_tree_change(session, tenant_id)
    old = {key: (description, created_at) for key, description, created_at in session.execute(
        select(Category.key, Category.description, Category.created_at).where(Category.tenant_id == tenant_id))}
    found = ensure_skills(session, tenant_id, [s.name for s in tree.skills])

    session.execute(update(Skill).where(Skill.tenant_id == tenant_id, Skill.category_id.is_not(None))
                    .values(category_id=None, position=0))
    # One statement: the self-reference is checked at its end, when no row points at a deleted one.
    session.execute(delete(Category).where(Category.tenant_id == tenant_id))

    now = utcnow()
    keys = [c.key or str(uuid.uuid4()) for c in tree.categories]
    rows = []
    for c, key in zip(tree.categories, keys):
        old_description, created_at = old.get(key, ("", now))
        rows.append({"tenant_id": tenant_id, "key": key, "parent_id": None, "display_name": c.display_name,
                     "name_key": name_key(c.display_name), "position": c.position, "created_at": created_at,
                     "description": old_description if c.description is None else c.description})
    ids: dict[str, int] = {}
    if rows:
        session.execute(insert(Category), rows)  # an executemany, batched by the driver
        ids = {key: id_ for key, id_ in session.execute(
            select(Category.key, Category.id).where(Category.tenant_id == tenant_id))}
    parents = [{"id": ids[key], "parent_id": ids[keys[c.parent]]}
               for c, key in zip(tree.categories, keys) if c.parent is not None]
    if parents:
        session.execute(update(Category), parents)
    placed = [{"id": found[name_key(s.name)][0], "category_id": ids[keys[s.category]], "position": s.position}
              for s in tree.skills if s.category is not None]
    if placed:
        session.execute(update(Skill), placed)

