"""Model providers spoken over HTTP with httpx: OpenAI-compatible, Anthropic, Ollama."""
