"""lyricmood: recommend songs whose lyrics feel alike.

Importing it is light (no torch, no transformers). `import lyricmood.modeling` registers the `lyricmood` model
type with transformers' `AutoConfig`, `AutoModel` and `AutoModelForSequenceClassification`: an explicit import
rather than an import hook, so that the CLI's catalog queries stay free of torch and nothing depends on how
transformers orders its own imports.
"""

__version__ = "0.1.0"
