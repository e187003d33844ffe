"""The Textual-free heart of vicechat: storage, services, providers, jobs and research.

Nothing in this package may import `textual`; any program can drive it.
"""
