"""The operations that the CLI and the web app both call: one implementation of each."""
