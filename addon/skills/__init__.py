"""The domain: skill names, user skills, bulk updates and the skill tree. No Flask in here."""
