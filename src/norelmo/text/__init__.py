"""Sentence splitting, tokenization and lemmatization with UDPipe; the vocabulary."""
