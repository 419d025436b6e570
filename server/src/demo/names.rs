//! Names for the demo data: companies (Japanese and English) with a web
//! domain derived from the name, people, titles and phone numbers.
//!
//! Company names are drawn *without replacement* from the combination space of
//! each language (a fixed permutation of the account index), so a few hundred
//! demo accounts never share a name by accident and the deliberate duplicates
//! are the only ones the duplicates page finds. Past the size of the space a
//! regional qualifier keeps names apart; past that, only the domain is unique.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Katakana brand words with the romaji used in domains.
const JP_KATAKANA: &[(&str, &str)] = &[
    ("ミナト", "minato"),
    ("サクラ", "sakura"),
    ("アオイ", "aoi"),
    ("ヒカリ", "hikari"),
    ("ツバサ", "tsubasa"),
    ("カエデ", "kaede"),
    ("ミドリ", "midori"),
    ("ホシノ", "hoshino"),
    ("ソラ", "sora"),
    ("ハヤテ", "hayate"),
    ("アサヒ", "asahi"),
    ("コハク", "kohaku"),
    ("ナギサ", "nagisa"),
    ("スバル", "subaru"),
    ("イロハ", "iroha"),
    ("ユイ", "yui"),
    ("カナタ", "kanata"),
    ("リンク", "link"),
    ("ネクスト", "next"),
    ("フロンティア", "frontier"),
    ("アルファ", "alpha"),
    ("ミライ", "mirai"),
    ("ハルカ", "haruka"),
    ("ツムギ", "tsumugi"),
];
const JP_KATAKANA_SUFFIX: &[(&str, &str)] = &[
    ("ロジスティクス", "logistics"),
    ("テクノロジー", "tech"),
    ("システムズ", "systems"),
    ("ソリューションズ", "solutions"),
    ("フーズ", "foods"),
    ("メディカル", "medical"),
    ("ネットワークス", "networks"),
    ("エンジニアリング", "engineering"),
    ("デザイン", "design"),
    ("ラボ", "lab"),
    ("マーケティング", "marketing"),
    ("パートナーズ", "partners"),
    ("クラウド", "cloud"),
    ("データ", "data"),
];
const JP_KANJI: &[(&str, &str)] = &[
    ("山田", "yamada"),
    ("青葉", "aoba"),
    ("東海", "tokai"),
    ("北斗", "hokuto"),
    ("大和", "yamato"),
    ("富士", "fuji"),
    ("瑞穂", "mizuho"),
    ("三河", "mikawa"),
    ("浪速", "naniwa"),
    ("八雲", "yakumo"),
    ("白鷺", "shirasagi"),
    ("若葉", "wakaba"),
    ("千代田", "chiyoda"),
    ("丸の内", "marunouchi"),
    ("桜井", "sakurai"),
    ("松風", "matsukaze"),
    ("高砂", "takasago"),
    ("日向", "hyuga"),
    ("有明", "ariake"),
    ("武蔵", "musashi"),
];
const JP_KANJI_SUFFIX: &[(&str, &str)] = &[
    ("商事", "shoji"),
    ("工業", "kogyo"),
    ("製作所", "seisakusho"),
    ("電機", "denki"),
    ("物産", "bussan"),
    ("化学", "kagaku"),
    ("食品", "shokuhin"),
    ("建設", "kensetsu"),
    ("物流", "butsuryu"),
    ("出版", "shuppan"),
    ("精機", "seiki"),
    ("薬品", "yakuhin"),
    ("印刷", "insatsu"),
    ("興産", "kosan"),
];
const JP_REGIONS: &[(&str, &str)] = &[
    ("関西", "kansai"),
    ("九州", "kyushu"),
    ("北海道", "hokkaido"),
    ("東北", "tohoku"),
    ("中部", "chubu"),
    ("西日本", "nishinihon"),
    ("東日本", "higashinihon"),
    ("四国", "shikoku"),
];
const EN_FIRST: &[&str] = &[
    "Northwind",
    "Blue Harbor",
    "Summit",
    "Cedar",
    "Pioneer",
    "Brightline",
    "Redwood",
    "Silverleaf",
    "Ironclad",
    "Maple",
    "Granite",
    "Lumen",
    "Vertex",
    "Atlas",
    "Horizon",
    "Evergreen",
    "Crescent",
    "Falcon",
    "Beacon",
    "Keystone",
    "Harborview",
    "Clearwater",
    "Bluebird",
    "Copperline",
    "Driftwood",
    "Lakeshore",
    "Northstar",
    "Oakridge",
    "Quarry",
    "Tidewater",
];
const EN_SECOND: &[&str] = &[
    "Analytics",
    "Labs",
    "Systems",
    "Logistics",
    "Health",
    "Foods",
    "Robotics",
    "Media",
    "Learning",
    "Capital",
    "Software",
    "Networks",
    "Dynamics",
    "Retail",
    "Energy",
    "Biotech",
    "Security",
    "Payments",
    "Travel",
    "Studios",
    "Partners",
    "Materials",
    "Mobility",
    "Insights",
];
const EN_SUFFIX: &[&str] = &["Inc.", "LLC", "Co.", "Corp.", "Ltd."];
const EN_REGIONS: &[&str] = &[
    "West",
    "East",
    "Pacific",
    "Atlantic",
    "Global",
    "International",
    "Midwest",
    "Southern",
];

/// Japanese surnames and given names with their romaji (for e-mails).
const JP_SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("伊藤", "ito"),
    ("渡辺", "watanabe"),
    ("山本", "yamamoto"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("吉田", "yoshida"),
    ("山口", "yamaguchi"),
    ("松本", "matsumoto"),
    ("井上", "inoue"),
    ("木村", "kimura"),
    ("林", "hayashi"),
];
const JP_GIVEN: &[(&str, &str)] = &[
    ("翔", "sho"),
    ("陽菜", "hina"),
    ("蓮", "ren"),
    ("結衣", "yui"),
    ("大翔", "hiroto"),
    ("美月", "mizuki"),
    ("湊", "minato"),
    ("さくら", "sakura"),
    ("健太", "kenta"),
    ("彩", "aya"),
    ("直樹", "naoki"),
    ("真由美", "mayumi"),
    ("拓也", "takuya"),
    ("恵", "megumi"),
];
const EN_GIVEN: &[&str] = &[
    "James", "Mary", "David", "Jennifer", "Daniel", "Linda", "Chris", "Susan", "Kevin", "Laura",
    "Brian", "Emma", "Olivia", "Noah", "Grace", "Ethan",
];
const EN_SURNAMES: &[&str] = &[
    "Smith", "Miller", "Davis", "Garcia", "Wilson", "Anderson", "Taylor", "Thomas", "Moore",
    "Martin", "Lee", "Walker", "Young", "King", "Wright", "Lopez",
];
const JP_TITLES: &[&str] = &[
    "情報システム部 部長",
    "営業企画部 課長",
    "経営企画室 室長",
    "DX推進室 マネージャー",
    "カスタマーサポート部 主任",
    "代表取締役",
    "業務改革推進部 担当",
];
const EN_TITLES: &[&str] = &[
    "VP of Operations",
    "Head of Customer Experience",
    "IT Manager",
    "Director of Sales Operations",
    "CTO",
    "Operations Analyst",
    "Procurement Lead",
];

/// The industries accounts belong to.
pub const INDUSTRIES: &[&str] = &[
    "SaaS",
    "Manufacturing",
    "Retail",
    "Finance",
    "Healthcare",
    "Logistics",
    "Education",
    "Media",
    "Real Estate",
    "Hospitality",
];
/// Churn reasons, Japanese.
pub const JP_CHURN_REASONS: &[&str] = &[
    "予算削減",
    "競合製品へ移行",
    "利用が定着しなかった",
    "担当者の退職",
    "事業縮小",
];
/// Churn reasons, English.
pub const EN_CHURN_REASONS: &[&str] = &[
    "Budget cuts",
    "Moved to a competitor",
    "Low adoption",
    "Champion left the company",
    "Acquired by another company",
];

/// Size of the Japanese name space (katakana + kanji combinations).
const JP_SPACE: usize =
    JP_KATAKANA.len() * JP_KATAKANA_SUFFIX.len() + JP_KANJI.len() * JP_KANJI_SUFFIX.len();
/// Size of the English name space.
const EN_SPACE: usize = EN_FIRST.len() * EN_SECOND.len();
/// Multiplier of the permutation of the name space: a prime that divides
/// neither space size, so `index × P mod space` visits every name once.
const PERMUTATION: usize = 7_919;

/// Picks one item uniformly.
pub fn pick<'a, T: ?Sized>(rng: &mut ChaCha8Rng, items: &[&'a T]) -> &'a T {
    items[rng.random_range(0..items.len())]
}

fn pick_pair(
    rng: &mut ChaCha8Rng,
    items: &[(&'static str, &'static str)],
) -> (&'static str, &'static str) {
    items[rng.random_range(0..items.len())]
}

/// A generated company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// Japanese (yen, Japanese people) or English (dollars).
    pub japanese: bool,
    /// Display name with its legal form.
    pub name: String,
    /// Web domain, unique per company.
    pub domain: String,
    /// The brand in Latin letters (`Sakura Tech`), for duplicates that a CRM
    /// user typed from the web site rather than the register.
    pub latin: String,
}

fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The company of global account number `index` (0-based), `japanese` or not;
/// `offset` (from the seed) shifts the permutation so seeds differ.
pub fn company(rng: &mut ChaCha8Rng, index: usize, offset: usize, japanese: bool) -> Company {
    let space = if japanese { JP_SPACE } else { EN_SPACE };
    let combo = (index.wrapping_mul(PERMUTATION).wrapping_add(offset)) % space;
    let cycle = index / space;
    // cycle 0: plain name; then a region; past the regions, a number in the domain.
    let (region, number) = if cycle == 0 {
        (None, 0)
    } else {
        let r = (cycle - 1) % JP_REGIONS.len();
        (Some(r), (cycle - 1) / JP_REGIONS.len())
    };
    let number_part = if number > 0 {
        format!("-{}", number + 1)
    } else {
        String::new()
    };
    if japanese {
        let katakana = JP_KATAKANA.len() * JP_KATAKANA_SUFFIX.len();
        let ((w, wr), (s, sr)) = if combo < katakana {
            (
                JP_KATAKANA[combo / JP_KATAKANA_SUFFIX.len()],
                JP_KATAKANA_SUFFIX[combo % JP_KATAKANA_SUFFIX.len()],
            )
        } else {
            let c = combo - katakana;
            (
                JP_KANJI[c / JP_KANJI_SUFFIX.len()],
                JP_KANJI_SUFFIX[c % JP_KANJI_SUFFIX.len()],
            )
        };
        let (rj, rr) = region.map_or(("", String::new()), |r| {
            (JP_REGIONS[r].0, format!("-{}", JP_REGIONS[r].1))
        });
        let core = format!("{w}{s}{rj}");
        let name = match rng.random_range(0..10) {
            0..=5 => format!("株式会社{core}"),
            6..=8 => format!("{core}株式会社"),
            _ => format!("合同会社{core}"),
        };
        Company {
            japanese,
            name,
            domain: format!("{wr}-{sr}{rr}{number_part}.co.jp"),
            latin: format!("{} {}", title_case(wr), title_case(sr)),
        }
    } else {
        let first = EN_FIRST[combo / EN_SECOND.len()];
        let second = EN_SECOND[combo % EN_SECOND.len()];
        let (rn, rd) = region.map_or((String::new(), String::new()), |r| {
            (
                format!(" {}", EN_REGIONS[r]),
                format!("-{}", EN_REGIONS[r].to_lowercase()),
            )
        });
        let slug = format!("{first}-{second}").to_lowercase().replace(' ', "");
        Company {
            japanese,
            name: format!("{first} {second}{rn} {}", pick(rng, EN_SUFFIX)),
            domain: format!("{slug}{rd}{number_part}.com"),
            latin: format!("{first} {second}"),
        }
    }
}

/// The same company as typed differently into the CRM: legal form moved,
/// upper case, comma before the legal form. Normalises to the same name.
pub fn name_variant(name: &str) -> String {
    if let Some(core) = name.strip_prefix("株式会社") {
        format!("{core}株式会社")
    } else if let Some(core) = name.strip_suffix("株式会社") {
        format!("株式会社{core}")
    } else if let Some(core) = name.strip_prefix("合同会社") {
        format!("{core}合同会社")
    } else {
        match name.rsplit_once(' ') {
            Some((core, form)) => format!("{}, {}", core.to_uppercase(), form.to_uppercase()),
            None => name.to_uppercase(),
        }
    }
}

/// A person: display name and the local part of their e-mail address.
pub fn person(rng: &mut ChaCha8Rng, japanese: bool) -> (String, String) {
    if japanese {
        let (s, sr) = pick_pair(rng, JP_SURNAMES);
        let (g, gr) = pick_pair(rng, JP_GIVEN);
        (format!("{s} {g}"), format!("{gr}.{sr}"))
    } else {
        let g = pick(rng, EN_GIVEN);
        let s = pick(rng, EN_SURNAMES);
        (format!("{g} {s}"), format!("{g}.{s}").to_lowercase())
    }
}

/// A job title in the account's language.
pub fn title(rng: &mut ChaCha8Rng, japanese: bool) -> &'static str {
    pick(rng, if japanese { JP_TITLES } else { EN_TITLES })
}

/// A plausible office phone number (fictional ranges: 555-01xx in the US).
pub fn phone(rng: &mut ChaCha8Rng, japanese: bool) -> String {
    if japanese {
        format!(
            "03-{:04}-{:04}",
            rng.random_range(1000..10_000),
            rng.random_range(0..10_000)
        )
    } else {
        format!("+1 415-555-01{:02}", rng.random_range(0..100))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuna_shared::cells::{company_domain, normalize_company_name};
    use rand::SeedableRng;
    use std::collections::HashSet;

    #[test]
    fn names_and_domains_are_unique_within_the_space_and_domains_beyond() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut names = HashSet::new();
        let mut domains = HashSet::new();
        for i in 0..JP_SPACE.min(EN_SPACE) {
            for japanese in [true, false] {
                let c = company(&mut rng, i, 17, japanese);
                assert!(
                    names.insert((japanese, normalize_company_name(&c.name))),
                    "{}",
                    c.name
                );
            }
        }
        for i in 0..20_000 {
            let c = company(&mut rng, i, 3, i % 3 == 0);
            assert_eq!(
                company_domain(&c.domain).as_deref(),
                Some(c.domain.as_str())
            );
            assert!(domains.insert(c.domain.clone()), "{}", c.domain);
        }
    }

    #[test]
    fn name_variants_normalise_to_the_same_name() {
        for name in [
            "株式会社サクラテクノロジー",
            "サクラ株式会社",
            "合同会社ユイラボ",
            "Northwind Analytics Inc.",
            "Atlas Labs LLC",
            "Cedar Media Co.",
        ] {
            let v = name_variant(name);
            assert_ne!(v, name);
            assert_eq!(
                normalize_company_name(&v),
                normalize_company_name(name),
                "{v}"
            );
        }
    }
}
