"""The API's endpoints, one ninja Router per area; `credo.api.api` adds them to the API in order:
people, frameworks, learning, credits, transcripts, administration."""
