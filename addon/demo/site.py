"""The demo site's data, in one place: its people and their skills, its skill tree, its issues.

The people and skills of the *Skills for Jira* API's own examples (the three accounts of its
`skillsByAccountId` example, and its Design > UX tree with their expertise), an administrator, and a
few dozen people made up here, the same every time. The stand-in Jira (standin.py) answers for the
same people and issues, and `plant` writes the rest into the database through the domain.

A feature that adds to the data (levels, the skills an issue needs) adds its part here: a field of
`DemoSite`, its values below, and a step of `plant`; what Jira must answer for it goes in standin.py.
"""
from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..skills import tokens, tree, user_skills


@dataclass(frozen=True)
class Person:
    account_id: str
    display_name: str
    skills: tuple[str, ...]  # in the order added
    admin: bool = False  # a Jira administrator (global permission ADMINISTER) of the demo site


@dataclass(frozen=True)
class Issue:
    id: str  # Jira's numeric issue id
    key: str
    summary: str
    assignee: str | None  # an accountId


@dataclass(frozen=True)
class DemoSite:
    people: tuple[Person, ...]
    # The catalogue as PUT /api/skill-tree takes it: categories with their skills, in order.
    skill_tree: tuple[dict[str, Any], ...]
    issues: tuple[Issue, ...]

    def person(self, account_id: str | None) -> Person | None:
        return next((p for p in self.people if p.account_id == account_id), None)

    def issue(self, id_or_key: str) -> Issue | None:
        return next((i for i in self.issues if id_or_key in (i.id, i.key)), None)

    @property
    def skills(self) -> set[str]:
        """Every skill of the site: held by someone or named by the tree."""
        named = {node["key"] for node in _leaves(self.skill_tree)}
        return named | {skill for person in self.people for skill in person.skills}


def _leaves(nodes: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in nodes:
        if node["type"] == "skill":
            out.append(node)
        else:
            out.extend(_leaves(node["children"]))
    return out


# ---------------------------------------------------------------------------------------------
# The Skills for Jira API's examples: its accounts, their skills, its Design > UX tree

EXAMPLE_PEOPLE = (
    # "Get all users' skills", then the experts of "Get skill tree with experts".
    Person("3e63957f-c263-41cd-acda-748560232d49", "Alex Kim",
           ("Engineering - Beginner", "JavaScript", "HTML/CSS", "User Flows", "Usability Testing")),
    Person("63314adf8b75455be455c8a0", "Maria Lopez",
           ("Marketing - Competent", "Marketing - Expert", "English - Expert", "Social Media Marketing",
            "Usability Testing")),
    Person("61a4ad9cf241500072f37d74", "Sam Patel", ("QA - Competent", "Test Automation", "Selenium", "Python")),
)
# The example tree's category keys, kept: an export of the demo matches the documented example.
DESIGN_KEY = "f2c4cba9-6082-48c8-b23e-852e101bedbd"
UX_KEY = "9935f79d-02d1-4415-a81b-04f9e9dcd7ce"


def _category(name: str, children: list[Any], key: str | None = None, description: str = "") -> dict[str, Any]:
    # Keys made from the name: the same tree, with the same keys, at every start.
    key = key or str(uuid.uuid5(uuid.NAMESPACE_URL, "jira-user-skills-demo/" + name))
    return {"key": key, "type": "category", "displayName": name, "description": description,
            "children": [child if isinstance(child, dict) else {"key": child, "type": "skill"} for child in children]}


SKILL_TREE = (
    _category("Engineering", [
        _category("Programming languages", ["Python", "JavaScript", "TypeScript", "Go", "Java", "SQL"]),
        _category("Web", ["HTML/CSS", "React", "Accessibility", "REST APIs"]),
        _category("Platform", ["Kubernetes", "Docker", "AWS", "Terraform", "Linux", "PostgreSQL"]),
        _category("Quality", ["Test Automation", "Selenium", "QA - Competent", "QA - Expert"]),
        "Engineering - Beginner", "Engineering - Competent", "Engineering - Expert",
    ], description="Building and running software"),
    _category("Design", [
        _category("UX", ["User Flows", "Wireframes", "Usability Testing"], key=UX_KEY),
        _category("Visual design", ["Figma", "Illustration"]),
    ], key=DESIGN_KEY),
    _category("Marketing", ["Social Media Marketing", "SEO", "Content Writing", "Marketing - Competent",
                            "Marketing - Expert"]),
    _category("Product", ["Product Discovery", "Roadmapping", "Stakeholder Management"]),
    _category("Spoken languages", ["English - Expert", "German - Competent", "Spanish - Beginner",
                                   "French - Competent"]),
)


# ---------------------------------------------------------------------------------------------
# Made-up people: each has a line of work, most of its skills, and a language or two

ROLES = {
    "frontend": ["JavaScript", "TypeScript", "React", "HTML/CSS", "Accessibility", "Engineering - Competent"],
    "backend": ["Python", "Go", "Java", "SQL", "PostgreSQL", "REST APIs", "Engineering - Expert"],
    "platform": ["Kubernetes", "Docker", "AWS", "Terraform", "Linux", "Python"],
    "quality": ["Test Automation", "Selenium", "Python", "QA - Expert", "SQL"],
    "design": ["Figma", "User Flows", "Wireframes", "Usability Testing", "Illustration"],
    "marketing": ["Social Media Marketing", "SEO", "Content Writing", "Marketing - Competent"],
    "product": ["Product Discovery", "Roadmapping", "Stakeholder Management", "Public Speaking"],
}
LANGUAGES = ["English - Expert", "German - Competent", "Spanish - Beginner", "French - Competent"]
FIRST = ["Ana", "Ben", "Chloe", "David", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Lukas",
         "Mei", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yara",
         "Zoe", "Arjun", "Bea", "Carlos", "Dina", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Julia", "Kofi"]
LAST = ["Novak", "Okafor", "Schmidt", "Tanaka", "Rossi", "Haddad", "Nguyen", "Silva", "Kowalski", "Larsen",
        "Mensah", "Dubois", "Ivanova", "Costa", "Yilmaz", "Andersen", "Moreau", "Sato", "Popescu", "Ahmed"]
GENERATED = 36


def account_id(name: str) -> str:
    """An accountId in the 24-hex-digit form of Atlassian's, the same for a name at every start."""
    return hashlib.sha256(("jira-user-skills-demo/" + name).encode()).hexdigest()[:24]


def generated_people(count: int = GENERATED) -> tuple[Person, ...]:
    pick = random.Random("jira-user-skills-demo")  # the same people at every start
    roles = sorted(ROLES)
    people = []
    for i in range(count):
        name = f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}"
        role = ROLES[roles[i % len(roles)]]
        skills = pick.sample(role, pick.randint(2, len(role) - 1))
        skills += [s for s in pick.sample(LANGUAGES, pick.randint(0, 2)) if s not in skills]
        people.append(Person(account_id(name), name, tuple(skills)))
    return tuple(people)


ADMIN = Person(account_id("Dana Reyes"), "Dana Reyes",
               ("Jira Administration", "Agile Coaching", "Python", "English - Expert"), admin=True)

ISSUES = (
    Issue("10001", "DEMO-1", "Checkout page fails for screen-reader users", EXAMPLE_PEOPLE[0].account_id),
    Issue("10002", "DEMO-2", "Launch campaign for the spring release", EXAMPLE_PEOPLE[1].account_id),
    Issue("10003", "DEMO-3", "Flaky end-to-end test in the payment flow", EXAMPLE_PEOPLE[2].account_id),
    Issue("10004", "DEMO-4", "Move the reporting database to PostgreSQL 17", None),
    Issue("10005", "DEMO-5", "Interview users about the new onboarding", None),
)

SITE = DemoSite(people=(ADMIN, *EXAMPLE_PEOPLE, *generated_people()), skill_tree=SKILL_TREE, issues=ISSUES)


def plant(session: Session, tenant_id: int, site: DemoSite = SITE) -> str:
    """Write the site's tree and people's skills for an empty tenant, through the domain as the API
    does, and make an API token; returns the token (shown once)."""
    tree.replace_tree(session, tenant_id, tree.parse_tree(list(site.skill_tree)))
    user_skills.bulk_replace(session, tenant_id, {p.account_id: list(p.skills) for p in site.people})
    admin = next(p for p in site.people if p.admin)
    _, secret = tokens.create(session, tenant_id, "demo", admin.account_id)
    return secret
