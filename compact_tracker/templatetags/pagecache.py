"""{% pagesection section %}…{% endpagesection %}: the block is rendered once per version of
the data it shows and kept in the cache (compact_tracker.pagecache.Section), one request
computing it while the others wait for it or are served the previous version."""

from django import template
from django.template import Context as template_context

register = template.Library()


class PageSectionNode(template.Node):
    def __init__(self, nodelist, section):
        self.nodelist, self.section = nodelist, section

    def render(self, context):
        section = self.section.resolve(context)
        if section is None:  # no section given: render uncached
            return self.nodelist.render(context)
        # It may be rendered again after the response (a refresh, pagecache.after_response),
        # when the template's context has been unwound: keep what it holds now.
        template, values = context.template, context.flatten()
        request = getattr(context, "request", None)
        settings = {"autoescape": context.autoescape, "use_l10n": context.use_l10n}
        settings["use_tz"] = context.use_tz

        def build():
            later = template_context(values, **settings)
            later.request = request  # as a RequestContext has it ({% querystring %})
            with later.bind_template(template):
                # A node's output is not escaped again: the HTML comes back as it was.
                return str(self.nodelist.render(later))

        return section.get_or_build(build)


@register.tag
def pagesection(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("Usage: {% pagesection section %}…{% endpagesection %}")
    nodelist = parser.parse(("endpagesection",))
    parser.delete_first_token()
    return PageSectionNode(nodelist, parser.compile_filter(bits[1]))
