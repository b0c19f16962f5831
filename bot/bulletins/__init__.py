"""'You said, we did': a monthly bulletin of what changed because traders spoke up."""
