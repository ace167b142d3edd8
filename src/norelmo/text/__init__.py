"""Plain-text corpora as they come; sentence splitting, tokenization and lemmatization with UDPipe; the vocabulary."""
