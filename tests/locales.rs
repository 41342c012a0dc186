//! The two locale files say the same things: every key in both, the same interpolated values
//! in both, and no empty text. (leptos_i18n falls back to Chinese for a key missing in English;
//! this test makes that a failure instead.)

use std::collections::BTreeSet;

use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/locales/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every text with its key path.
fn texts(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                texts(inner, &path, out);
            }
        }
        Value::String(text) => out.push((path.to_owned(), text.clone())),
        other => panic!("{path}: expected text, found {other}"),
    }
}

/// The names inside `{{ … }}`.
fn variables(text: &str) -> BTreeSet<String> {
    text.split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}"))
        .map(|(name, _)| name.trim().to_owned())
        .collect()
}

#[test]
fn chinese_and_english_have_the_same_keys_and_values() {
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    texts(&load("zh"), "", &mut zh);
    texts(&load("en"), "", &mut en);
    let zh_keys: BTreeSet<_> = zh.iter().map(|(k, _)| k.clone()).collect();
    let en_keys: BTreeSet<_> = en.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(
        zh_keys.symmetric_difference(&en_keys).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "keys in one locale only"
    );
    assert!(
        zh_keys.len() > 200,
        "only {} keys: the locale files look truncated",
        zh_keys.len()
    );
    let en: std::collections::BTreeMap<_, _> = en.into_iter().collect();
    for (key, zh_text) in &zh {
        let en_text = &en[key];
        assert!(
            !zh_text.trim().is_empty() && !en_text.trim().is_empty(),
            "{key}: empty text"
        );
        assert_eq!(
            variables(zh_text),
            variables(en_text),
            "{key}: different interpolations"
        );
        let han = en_text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        assert!(!zh_text.contains(" — ") && !han, "{key}: holds both languages");
    }
}
