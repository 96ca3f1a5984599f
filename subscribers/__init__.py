"""The audience: mailing lists, subscribers, consent, tokens, suppression and audience
resolution. (Being built: see the subscribers issue.)"""
