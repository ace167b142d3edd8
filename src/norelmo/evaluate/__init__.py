"""Evaluation of a trained model: held-out perplexity and a part-of-speech probe."""
