"""The ELMo bidirectional language model: characters, data, network, training, export, embedding."""
