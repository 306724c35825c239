package dev.yardstick.chat.preview;

import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateLocator.TemplateLocation;
import io.quarkus.qute.ValueResolvers;
import io.quarkus.qute.Variant;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The preview's Qute templates, read from the classpath under {@code templates/preview/}, on one engine (the
 * {@code qute-core} library, not the Quarkus extension) that HTML-escapes the value of every {@code {expression}}
 * ({@code & < > " '}); only {@code .raw} is written as it is.
 */
final class PreviewTemplates {

    private static final String ROOT = "templates/preview/";
    private static final Variant HTML = new Variant(Locale.ROOT, StandardCharsets.UTF_8, Variant.TEXT_HTML);
    private static final Engine ENGINE = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
            .addValueResolver(ValueResolvers.rawResolver())
            .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML))).addLocator(PreviewTemplates::locate)
            .build();

    private PreviewTemplates() {
    }

    /** The template {@code templates/preview/<name>}, parsed once. */
    static Template get(String name) {
        Template template = ENGINE.getTemplate(name);
        if (template == null) {
            throw new IllegalStateException("no template " + ROOT + name);
        }
        return template;
    }

    private static Optional<TemplateLocation> locate(String name) {
        URL url = PreviewTemplates.class.getClassLoader().getResource(ROOT + name);
        if (url == null) {
            return Optional.empty();
        }
        return Optional.of(new TemplateLocation() {

            @Override
            public Reader read() {
                try {
                    return new InputStreamReader(url.openStream(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + url, e);
                }
            }

            @Override
            public Optional<Variant> getVariant() {
                return Optional.of(HTML);
            }
        });
    }
}
