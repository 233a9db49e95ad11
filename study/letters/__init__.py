"""The information letter to respondents: writing it, with checks on its wording."""
