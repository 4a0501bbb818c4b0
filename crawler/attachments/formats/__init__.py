"""One module per family of formats, each a reader of bytes into pages (`model.Reader`)."""
