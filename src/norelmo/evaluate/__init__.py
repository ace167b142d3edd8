"""Evaluation of a trained model: held-out perplexity, and NorLM's part-of-speech and sentiment tasks."""
