"""Evaluate metric modules shipped with lyricmood (each folder is one ``evaluate.load`` path)."""
