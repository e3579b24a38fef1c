//! Syntax highlighting: code and a language name in, class-based HTML out (`hl-` classes,
//! no inline colours), plus the light and dark stylesheets that colour those classes.
//! Syntaxes load once per process; nothing here touches the file system except the
//! `SITREP_BLESS` test that rewrites the committed stylesheets.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Shared by [`highlight`] and [`stylesheet`] so the classes in the HTML and the CSS agree.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Loading the bundled syntaxes takes tens of milliseconds, far more than highlighting a
/// typical block, so it happens once and is shared by all threads.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// `code` as HTML with `hl-…` class spans (text escaped), or None when `lang` names no
/// syntax we know (by name or file extension, case-insensitively) — the caller then shows
/// the code plain.
pub(crate) fn highlight(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang.trim())?;
    let mut html = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        // A syntax whose regexes fail on odd input should cost the reader colour, not the build.
        html.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(html.finalize())
}

/// The generator of the committed stylesheets (`themes/default/static/`), run
/// by the test that checks them (and rewrites them with `SITREP_BLESS`).
#[cfg(test)]
mod css {
    use super::CLASS_STYLE;
    use syntect::highlighting::{Color, Theme, ThemeSet};
    use syntect::html::css_for_theme_with_class_style;

    /// Theme names in syntect's bundled theme set.
    const LIGHT_THEME: &str = "InspiredGitHub";
    const DARK_THEME: &str = "base16-ocean.dark";

    /// WCAG 2 AA for normal text; code is read at body size, so the large-text 3:1 won't do.
    pub(super) const MIN_CONTRAST: f64 = 4.5;

    /// The CSS for the light (`dark == false`) or dark code theme. Colours that would fall
    /// below [`MIN_CONTRAST`] on their background are darkened (light) or lightened (dark)
    /// just enough, keeping their hue. The theme's base rule targets `pre.code`, the wrapper
    /// the markdown stage writes around every code block.
    pub(super) fn stylesheet(dark: bool) -> String {
        let mut themes = ThemeSet::load_defaults();
        let name = if dark { DARK_THEME } else { LIGHT_THEME };
        let mut theme = themes
            .themes
            .remove(name)
            .expect("syntect bundles this theme");
        ensure_contrast(&mut theme);
        let css = css_for_theme_with_class_style(&theme, CLASS_STYLE)
            .expect("a bundled theme has valid scope names");
        css.replacen(".hl-code {", "pre.code {", 1)
    }

    fn ensure_contrast(theme: &mut Theme) {
        let background = theme.settings.background.unwrap_or(Color::WHITE);
        let foreground = theme.settings.foreground.unwrap_or(Color::BLACK);
        theme.settings.foreground = Some(readable(foreground, background));
        let foreground = theme.settings.foreground.unwrap_or(Color::BLACK);
        for item in &mut theme.scopes {
            let bg = item.style.background.unwrap_or(background);
            let fg = item.style.foreground.unwrap_or(foreground);
            if contrast(fg, bg) < MIN_CONTRAST {
                item.style.foreground = Some(readable(fg, bg));
            }
        }
    }

    /// `fg` mixed towards black or white (whichever the background contrasts with more) in
    /// small steps until it is readable on `bg`.
    fn readable(fg: Color, bg: Color) -> Color {
        let target = if contrast(Color::BLACK, bg) >= contrast(Color::WHITE, bg) {
            Color::BLACK
        } else {
            Color::WHITE
        };
        let mut color = Color { a: 0xff, ..fg };
        for step in 1..=100 {
            if contrast(color, bg) >= MIN_CONTRAST {
                break;
            }
            let t = f64::from(step) / 100.0;
            let mix =
                |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
            color = Color {
                r: mix(fg.r, target.r),
                g: mix(fg.g, target.g),
                b: mix(fg.b, target.b),
                a: 0xff,
            };
        }
        color
    }

    /// WCAG 2 contrast ratio, 1.0 to 21.0.
    pub(super) fn contrast(a: Color, b: Color) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    fn luminance(c: Color) -> f64 {
        let channel = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.039_28 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    }
}

#[cfg(test)]
use css::*;

#[cfg(test)]
mod tests {
    use super::*;
    use syntect::highlighting::Color;

    const LIGHT_CSS: &str = "themes/default/static/syntax-light.css";
    const DARK_CSS: &str = "themes/default/static/syntax-dark.css";

    #[test]
    fn known_language_gets_class_spans() {
        let html = highlight("fn main() {}\n", "rust").unwrap();
        assert!(
            html.contains(r#"<span class="hl-source hl-rust">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<span class="hl-storage hl-type hl-function hl-rust">fn</span>"#),
            "{html}"
        );
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn language_is_found_by_extension_and_name_in_any_case() {
        assert!(highlight("x = 1\n", "py").is_some());
        assert!(highlight("x = 1\n", "Python").is_some());
        assert!(highlight("echo hi\n", "BASH").is_some());
    }

    #[test]
    fn unknown_language_is_none() {
        assert_eq!(highlight("whatever", "no-such-language"), None);
        assert_eq!(highlight("whatever", ""), None);
    }

    #[test]
    fn code_is_escaped() {
        let html = highlight("let s = \"<b>&</b>\";\n", "rs").unwrap();
        assert!(html.contains("&lt;b&gt;&amp;&lt;/b&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn stylesheets_style_the_wrapper_and_the_classes() {
        for dark in [false, true] {
            let css = stylesheet(dark);
            assert!(css.contains("pre.code {\n color: #"), "{css}");
            assert!(css.contains(" background-color: #"), "{css}");
            assert!(css.contains(".hl-comment"), "{css}");
            assert!(!css.contains(".hl-code {"), "{css}");
        }
        assert_ne!(stylesheet(false), stylesheet(true));
    }

    /// Reads every `color:`/`background-color:` pair back out of the generated CSS, so
    /// this checks what ships rather than the theme before adjustment.
    #[test]
    fn every_colour_meets_wcag_aa_on_its_background() {
        for dark in [false, true] {
            let css = stylesheet(dark);
            let base_fg = first_hex(&css, " color: #").unwrap();
            let base_bg = first_hex(&css, " background-color: #").unwrap();
            let mut checked = 0;
            for rule in css.split('}') {
                let (fg, bg) = (
                    first_hex(rule, " color: #"),
                    first_hex(rule, "background-color: #"),
                );
                if fg.is_none() && bg.is_none() {
                    continue;
                }
                let (fg, bg) = (fg.unwrap_or(base_fg), bg.unwrap_or(base_bg));
                let ratio = contrast(fg, bg);
                assert!(
                    ratio >= MIN_CONTRAST,
                    "dark={dark}: {ratio:.2} in rule {rule}"
                );
                checked += 1;
            }
            assert!(checked > 10, "dark={dark}: only {checked} colours found");
        }
    }

    fn first_hex(text: &str, prefix: &str) -> Option<Color> {
        let start = text.find(prefix)? + prefix.len();
        let hex = text.get(start..start + 6)?;
        let v = u32::from_str_radix(hex, 16).ok()?;
        Some(Color {
            r: (v >> 16) as u8,
            g: (v >> 8) as u8,
            b: v as u8,
            a: 0xff,
        })
    }

    #[test]
    fn contrast_matches_known_values() {
        assert!((contrast(Color::BLACK, Color::WHITE) - 21.0).abs() < 1e-9);
        let grey = Color {
            r: 0x76,
            g: 0x76,
            b: 0x76,
            a: 0xff,
        };
        assert!((contrast(grey, Color::WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn committed_stylesheets_match_the_generator() {
        let root = env!("CARGO_MANIFEST_DIR");
        let bless = std::env::var_os("SITREP_BLESS").is_some();
        for (path, dark) in [(LIGHT_CSS, false), (DARK_CSS, true)] {
            let path = format!("{root}/{path}");
            let want = stylesheet(dark);
            if bless {
                std::fs::create_dir_all(std::path::Path::new(&path).parent().unwrap()).unwrap();
                std::fs::write(&path, &want).unwrap();
                continue;
            }
            let have = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                have == want,
                "{path} is out of date with highlight::stylesheet({dark}); regenerate with \
                 `SITREP_BLESS=1 cargo test --lib highlight` and commit the result"
            );
        }
    }
}
