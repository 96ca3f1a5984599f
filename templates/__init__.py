"""Email templates (MJML + Jinja2, with plain-text twins), translations and the renderer.
(Being built: see the rendering issue.)"""
