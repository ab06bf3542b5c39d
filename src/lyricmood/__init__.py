"""lyricmood: recommend songs whose lyrics feel alike.

Importing it is light (no torch, no transformers). `import lyricmood.modeling` registers the `lyricmood` model
type with transformers' `AutoConfig`, `AutoModel` and `AutoModelForSequenceClassification`: an explicit import
rather than an import hook, so that the CLI's catalog queries stay free of torch and nothing depends on how
transformers orders its own imports.

Imports between the library and the dataset builders (`lyricmood.datasets_scripts`) run one way: the library
may use the builders; the builders use only `lyricmood.errors` and `lyricmood.catalog`, leaf modules that import
nothing but the standard library. Songs (the record, the catalog readers, LRC, language detection and
validation) live in `lyricmood.catalog`.
"""

__version__ = "0.1.0"
