"""norelmo: rebuild NorELMo (Norwegian ELMo) models from Wikipedia dumps and plain-text corpora."""

__version__ = "0.1.0"
