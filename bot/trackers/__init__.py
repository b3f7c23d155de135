"""Experiment trackers a workspace connects (MLflow), and the runs read from them."""
