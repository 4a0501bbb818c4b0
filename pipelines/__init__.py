"""Item pipelines, one verb each: validate → dedupe → store → watch."""
