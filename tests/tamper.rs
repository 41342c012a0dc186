//! Tampering with a signed result file: thousands of random mutations of the example files of
//! both versions — byte flips, field edits, reordered or dropped ballots, batches and entries,
//! swapped signatures — and every one that changes the file's content is rejected. Parsing
//! arbitrary bytes never panics.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::Value;

use pingyi::domain::record::result::verify_result_v2;
use pingyi::domain::result_file::verify_result;

fn example() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/examples/result.json")).unwrap()
}

/// A small deterministic generator, so a failure can be replayed from its seed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

/// Paths to every leaf and every array in a JSON value.
fn paths(value: &Value, here: &mut Vec<Value>, leaves: &mut Vec<Vec<Value>>, arrays: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                here.push(Value::String(k.clone()));
                paths(v, here, leaves, arrays);
                here.pop();
            }
        }
        Value::Array(items) => {
            arrays.push(here.clone());
            for (i, v) in items.iter().enumerate() {
                here.push(Value::from(i));
                paths(v, here, leaves, arrays);
                here.pop();
            }
        }
        _ => leaves.push(here.clone()),
    }
}

fn at<'a>(value: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(value, |v, key| match key {
        Value::String(k) => &mut v[k.as_str()],
        Value::Number(i) => &mut v[i.as_u64().unwrap() as usize],
        _ => unreachable!(),
    })
}

fn rejected(text: &str) -> bool {
    match verify_result(text) {
        Ok(verdict) => !verdict.holds(),
        Err(_) => true,
    }
}

/// Applies `rounds` random mutations to `original_text` — byte flips, leaf edits, reorders,
/// drops and signature swaps (by `swap`) — and requires `rejected` of every one that changes
/// the content. Returns the counts per kind.
fn every_mutation_rejected(
    original_text: &str,
    rejected: fn(&str) -> bool,
    swap: fn(&mut Value, &mut Lcg),
    rounds: usize,
) -> [usize; 5] {
    let original: Value = serde_json::from_str(original_text).unwrap();
    let compact = serde_json::to_string(&original).unwrap();
    assert!(!rejected(&compact), "the untouched example must verify");
    let (mut leaves, mut arrays) = (Vec::new(), Vec::new());
    paths(&original, &mut Vec::new(), &mut leaves, &mut arrays);

    let mut rng = Lcg(20261218);
    let mut tried = [0usize; 5];
    for round in 0..rounds {
        let kind = round % 5;
        let mut value = original.clone();
        let text = match kind {
            // A byte flipped anywhere in the compact text.
            0 => {
                let mut bytes = compact.clone().into_bytes();
                let i = rng.next(bytes.len());
                bytes[i] ^= 1 << rng.next(8);
                match String::from_utf8(bytes) {
                    Ok(text) => text,
                    Err(_) => continue,
                }
            }
            // A leaf edited: strings get a character changed, numbers +1, booleans flipped.
            1 => {
                let path = &leaves[rng.next(leaves.len())];
                let leaf = at(&mut value, path);
                *leaf = match leaf.clone() {
                    Value::String(s) if s.is_empty() => Value::String("x".into()),
                    Value::String(s) => {
                        let mut chars: Vec<char> = s.chars().collect();
                        let i = rng.next(chars.len());
                        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
                        Value::String(chars.into_iter().collect())
                    }
                    Value::Number(n) => Value::from(n.as_u64().unwrap_or(0) + 1),
                    Value::Bool(b) => Value::Bool(!b),
                    Value::Null => Value::from(0),
                    other => other,
                };
                value.to_string()
            }
            // Two elements of an array swapped (reordered ballots, batches, presenters, …).
            2 => {
                let path = &arrays[rng.next(arrays.len())];
                let list = at(&mut value, path).as_array_mut().unwrap();
                if list.len() < 2 {
                    continue;
                }
                let (i, j) = (rng.next(list.len()), rng.next(list.len()));
                list.swap(i, j);
                value.to_string()
            }
            // One element of an array dropped (a ballot, a batch, a code, an audit entry, …).
            3 => {
                let path = &arrays[rng.next(arrays.len())];
                let list = at(&mut value, path).as_array_mut().unwrap();
                if list.is_empty() {
                    continue;
                }
                list.remove(rng.next(list.len()));
                value.to_string()
            }
            // Signatures swapped.
            _ => {
                swap(&mut value, &mut rng);
                value.to_string()
            }
        };
        // A mutation that leaves the content as it was (e.g. swapping equal items) is no
        // tampering; everything else must be refused.
        if serde_json::from_str::<Value>(&text).ok().as_ref() == Some(&original) {
            continue;
        }
        tried[kind] += 1;
        assert!(
            rejected(&text),
            "mutation kind {kind}, round {round} was accepted:\n{text}"
        );
    }
    tried
}

fn report(version: u32, tried: [usize; 5]) -> usize {
    let total: usize = tried.iter().sum();
    println!(
        "tamper v{version}: {total} content-changing mutations, all rejected (byte flips {}, field edits {}, reorders {}, drops {}, signature swaps {})",
        tried[0], tried[1], tried[2], tried[3], tried[4]
    );
    total
}

#[test]
fn every_content_changing_mutation_is_rejected() {
    // Signatures swapped between two accepted ballots, or with the host's.
    fn swap(value: &mut Value, rng: &mut Lcg) {
        let ballots = value["payload"]["accepted"].as_array_mut().unwrap();
        let (i, j) = (rng.next(ballots.len()), rng.next(ballots.len()));
        let a = ballots[i]["signature"].clone();
        let b = ballots[j]["signature"].clone();
        ballots[i]["signature"] = b;
        ballots[j]["signature"] = a.clone();
        if i == j {
            value["signature"]["value"] = a;
        }
    }
    let tried = every_mutation_rejected(&example(), rejected, swap, 3000);
    assert!(report(1, tried) > 2000);
}

/// The same suite on the version-2 example (docs/examples/result-v2.json): batch-header and
/// hello signatures swapped, or one with the host's.
#[test]
fn every_content_changing_mutation_of_a_version_2_file_is_rejected() {
    fn rejected_v2(text: &str) -> bool {
        match verify_result_v2(text, None) {
            Ok(verdict) => !verdict.holds(),
            Err(_) => true,
        }
    }
    fn swap(value: &mut Value, rng: &mut Lcg) {
        let proof = &mut value["payload"]["proof"];
        let list = if rng.next(2) == 0 { "batches" } else { "hellos" };
        let items = proof[list].as_array_mut().unwrap();
        let (i, j) = (rng.next(items.len()), rng.next(items.len()));
        let a = items[i]["signature"].clone();
        let b = items[j]["signature"].clone();
        items[i]["signature"] = b;
        items[j]["signature"] = a.clone();
        if i == j {
            value["signature"]["value"] = a;
        }
    }
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/examples/result-v2.json"
    ))
    .unwrap();
    let tried = every_mutation_rejected(&text, rejected_v2, swap, 3000);
    assert!(report(2, tried) > 2000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(verify_result(&text).is_err() || !verify_result(&text).unwrap().holds());
    }

    #[test]
    fn truncations_never_panic_and_never_pass(cut in 0usize..12_000) {
        let text = example();
        let cut = cut.min(text.len().saturating_sub(2));
        if let Some(prefix) = text.get(..cut) {
            prop_assert!(rejected(prefix));
        }
    }
}
