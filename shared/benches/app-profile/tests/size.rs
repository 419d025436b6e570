//! Prints the raw and brotli sizes of the wasm files named in
//! `KIZUNA_PROBE_WASM` (used by `size.sh`; does nothing without it).
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;

#[test]
fn print_sizes() {
    let Ok(files) = std::env::var("KIZUNA_PROBE_WASM") else {
        return;
    };
    let mut sizes = Vec::new();
    for f in files.split_whitespace() {
        let bytes = std::fs::read(f).expect("wasm file");
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, 11, 22);
            w.write_all(&bytes).expect("in memory");
        }
        println!("{f}: {} B raw, {} B brotli", bytes.len(), br.len());
        sizes.push((bytes.len() as i64, br.len() as i64));
    }
    if let [a, b] = sizes[..] {
        println!(
            "difference: {:+} B raw ({:+.1} KB), {:+} B brotli ({:+.1} KB)",
            b.0 - a.0,
            (b.0 - a.0) as f64 / 1024.0,
            b.1 - a.1,
            (b.1 - a.1) as f64 / 1024.0
        );
    }
}
