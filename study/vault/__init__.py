"""The vault: age v1 encryption of recordings, transcripts and code keys, and their storage."""
