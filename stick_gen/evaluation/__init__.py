"""Evaluation: metrics of generated motion, and checks of the training data."""
