"""Respondents (intervjupersoner): the people a study interviews, known by a code, and their links."""
