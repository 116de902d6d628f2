//! No import circles between the modules of a service: a module that uses another never is used
//! by it again, directly or through others, so each can be read — and changed — knowing only what
//! lies below it. A parent module declaring or re-exporting its children is not an import; a child
//! using its parent's items is. Test modules (`#[cfg(test)]` onwards) are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn services() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services")
}

/// Every module of the crate under `src`, by path, with its code up to its test module and
/// without comments.
fn modules(src: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let mut module: Module = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let code = text.find("#[cfg(test)]").map_or(&text[..], |i| &text[..i]);
            let code: String = code
                .lines()
                .map(|l| match l.find("//") {
                    Some(i) => &l[..i],
                    None => l,
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.insert(module, code);
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths a `use` tree (renames removed) names: `crate::a::{b, c::{d}}` → `crate::a::b`,
/// `crate::a::c::d`.
fn expand(tree: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    let tree: String = tree.chars().filter(|c| !c.is_whitespace()).collect();
    match tree.find('{') {
        None => {
            let mut path = prefix.to_vec();
            path.extend(
                tree.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
            out.push(path);
        }
        Some(open) => {
            let mut path = prefix.to_vec();
            path.extend(
                tree[..open]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
            let close = tree.rfind('}').unwrap_or(tree.len());
            let body = &tree[open + 1..close];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in body.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&body[start..i], &path, out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            if start < body.len() {
                expand(&body[start..], &path, out);
            }
        }
    }
}

/// Every path the code names that starts at the crate (`crate::`), a parent (`super::`) or the
/// module itself (`self::`), in `use` declarations and inline.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let text = code;
    // `use` declarations.
    let mut from = 0;
    while let Some(i) = text[from..].find("use ") {
        let at = from + i;
        let before = text[..at].chars().next_back();
        from = at + 4;
        if before.is_some_and(is_ident) {
            continue;
        }
        let Some(end) = text[at..].find(';') else {
            break;
        };
        let tree = &text[at + 4..at + end];
        if tree.starts_with("crate::") || tree.starts_with("super::") || tree.starts_with("self::")
        {
            // `as` renames: drop ` as name` before the spaces are removed.
            let tree = strip_renames(tree);
            expand(&tree, &[], &mut out);
        }
    }
    // Inline paths.
    for root in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(root) {
            let at = from + i;
            from = at + root.len();
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| is_ident(c) || c == ':') {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|&c| is_ident(c) || c == ':')
                .collect();
            out.push(
                path.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        }
    }
    out
}

fn strip_renames(tree: &str) -> String {
    let mut out = String::new();
    let mut words = tree.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w == "as" {
            // Skip the new name, keep any punctuation glued after it.
            if let Some(name) = words.next() {
                out.extend(name.chars().skip_while(|&c| is_ident(c)));
            }
            continue;
        }
        out.push_str(w);
        out.push(' ');
    }
    out
}

/// The module a path names: the longest prefix that is a module of the crate.
fn target(modules: &BTreeMap<Module, String>, from: &Module, path: &[String]) -> Option<Module> {
    let mut absolute: Module = Vec::new();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => rest = &rest[1..],
        Some("self") => {
            absolute = from.clone();
            rest = &rest[1..];
        }
        Some("super") => {
            absolute = from.clone();
            while rest.first().is_some_and(|s| s == "super") {
                absolute.pop();
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    absolute.extend(rest.iter().cloned());
    (0..=absolute.len())
        .rev()
        .map(|n| absolute[..n].to_vec())
        .find(|m| modules.contains_key(m))
}

/// Import edges between modules: `a` → `b` when `a` names an item of `b` (a parent naming its own
/// children does not count).
fn edges(modules: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut out: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (from, code) in modules {
        for path in named_paths(code) {
            let Some(to) = target(modules, from, &path) else {
                continue;
            };
            if to.starts_with(from) {
                continue;
            }
            out.entry(from.clone()).or_default().insert(to);
        }
    }
    out
}

fn reaches(edges: &BTreeMap<Module, BTreeSet<Module>>, from: &Module, to: &Module) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.clone()];
    while let Some(m) = stack.pop() {
        if &m == to {
            return true;
        }
        if seen.insert(m.clone()) {
            stack.extend(edges.get(&m).into_iter().flatten().cloned());
        }
    }
    false
}

fn circles(src: &Path) -> Vec<String> {
    let modules = modules(src);
    let edges = edges(&modules);
    let mut found = Vec::new();
    for (from, tos) in &edges {
        for to in tos {
            if reaches(&edges, to, from) {
                found.push(format!("{} → {} and back", from.join("::"), to.join("::")));
            }
        }
    }
    found
}

#[test]
fn no_service_has_an_import_circle_between_its_modules() {
    let mut found = Vec::new();
    let mut read = 0;
    for service in std::fs::read_dir(services()).expect("services/").flatten() {
        let src = service.path().join("src");
        if !src.is_dir() {
            continue;
        }
        read += 1;
        let name = service.file_name().to_string_lossy().into_owned();
        found.extend(circles(&src).into_iter().map(|c| format!("{name}: {c}")));
    }
    assert!(read >= 6, "the six services are read");
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn a_circle_is_found_through_use_trees_inline_paths_and_parents() {
    let dir = std::env::temp_dir().join(format!("circles-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("commands/money")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod commands;\n").unwrap();
    std::fs::write(
        src.join("commands/mod.rs"),
        "pub mod money;\npub mod people;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("commands/money/mod.rs"),
        "pub mod ledger;\nuse crate::commands::{people::{Person as P}};\n",
    )
    .unwrap();
    std::fs::write(
        src.join("commands/money/ledger.rs"),
        "// use crate::commands::people; (a comment)\npub fn f() {}\n",
    )
    .unwrap();
    std::fs::write(
        src.join("commands/people.rs"),
        "pub fn g() { crate::commands::money::ledger::f() }\n",
    )
    .unwrap();
    // people → money::ledger; money (the parent) → people; ledger does not name money: no circle.
    assert!(circles(&src).is_empty(), "{:?}", circles(&src));
    // The ledger naming its parent closes one: ledger → money → people → ledger.
    std::fs::write(
        src.join("commands/money/ledger.rs"),
        "use super::P;\npub fn f() {}\n",
    )
    .unwrap();
    let found = circles(&src);
    assert!(
        found.contains(&"commands::money::ledger → commands::money and back".to_owned()),
        "{found:?}"
    );
    // So does an inline path from the leaf back up.
    std::fs::write(
        src.join("commands/money/ledger.rs"),
        "pub fn f() { let _ = crate::commands::people::g; }\n",
    )
    .unwrap();
    assert!(!circles(&src).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}
