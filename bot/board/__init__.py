"""The App Home board: open problems, owed analyses, next rituals."""
