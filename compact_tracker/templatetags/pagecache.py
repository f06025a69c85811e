"""{% pagesection section %}…{% endpagesection %}: the block is rendered once per version of
the data it shows and kept in the cache (compact_tracker.pagecache.Section), one request
computing it while the others wait for it or are served the previous version."""

from django import template

register = template.Library()


class PageSectionNode(template.Node):
    def __init__(self, nodelist, section):
        self.nodelist, self.section = nodelist, section

    def render(self, context):
        section = self.section.resolve(context)
        if section is None:  # no section given: render uncached
            return self.nodelist.render(context)
        # A node's output is not escaped again: the rendered HTML comes back as it was.
        return section.get_or_build(lambda: str(self.nodelist.render(context)))


@register.tag
def pagesection(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("Usage: {% pagesection section %}…{% endpagesection %}")
    nodelist = parser.parse(("endpagesection",))
    parser.delete_first_token()
    return PageSectionNode(nodelist, parser.compile_filter(bits[1]))
