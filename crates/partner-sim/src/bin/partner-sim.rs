//! `partner-sim`: publish partner facts into the mesh and read an agency's feed from the command
//! line. `partner-sim help`.

use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{Months, NaiveDate};
use partner_sim::{
    Connection, Partner, bank_return, certificate, death, flagged_household, synthetic_id_number,
    verification,
};

const HELP: &str = "\
partner-sim — publish partner.* facts into Minzheng Mesh, read an agency's feed

Connects to NATS_URL (default nats://127.0.0.1:4222) as the agency the command speaks for, with
NATS_USER and NATS_PASSWORD (the agency's account) and TLS when NATS_CA_FILE is set (with
NATS_CERT_FILE and NATS_KEY_FILE when the server verifies clients). It never creates a stream.

  partner-sim death <id-number> <date-of-death> [registering-division]
  partner-sim certificate <id-number> <category> <level> [issued-on] [registration-division]
        category: visual hearing speech physical intellectual mental multiple; level 1-4
  partner-sim verification <request-id> <application-id> <household-id> <monthly-income-fen> <property-ok:true|false>
  partner-sim bank-return <payer:aid|disability|child> <batch-id> <line-id> <amount-fen> <reason>
        reason: account_closed account_frozen account_not_found name_mismatch account_dormant other
  partner-sim flag <head-id-number> <village-code> <risk>
        risk: illness disability education disaster accident unemployment income_drop other
  partner-sim feed <agency> [max] [wait-seconds]
        prints up to max (default 10) messages of the agency's feed as JSON lines, acknowledging
        each; waits up to wait-seconds (default 5) for the first
  partner-sim id-number <division> <birth-date> <sequence>     (prints a synthetic, valid ID number)

Publishing prints the event id (ce-id) once JetStream has stored the fact.
";

fn date(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("{s}: use YYYY-MM-DD"))
}

fn enum_arg<T: serde::de::DeserializeOwned>(s: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .with_context(|| format!("{s} is not a known value"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a = |i: usize| args.get(i).map(String::as_str).context(HELP);
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let connection = Connection::from_env()?;
    let connect = async |agency: &str| Partner::connect_with(&connection, agency).await;
    let id = match a(0).unwrap_or("help") {
        "death" => {
            let fact = death(
                a(1)?,
                date(a(2)?)?,
                args.get(3).map_or("500112", String::as_str),
            )?;
            connect("civil-registry").await?.publish(&fact).await?
        }
        "certificate" => {
            let issued = args.get(4).map(|d| date(d)).transpose()?.unwrap_or(today);
            let expires = issued
                .checked_add_months(Months::new(120))
                .context("date")?;
            let fact = certificate(
                a(1)?,
                enum_arg(a(2)?)?,
                a(3)?.parse()?,
                issued,
                expires,
                args.get(5).map_or("500112", String::as_str),
            )?;
            connect("dpf").await?.publish(&fact).await?
        }
        "verification" => {
            let fact = verification(
                a(1)?.parse()?,
                a(2)?.parse()?,
                a(3)?.parse()?,
                a(4)?.parse()?,
                a(5)?.parse()?,
                today,
            );
            connect("verification").await?.publish(&fact).await?
        }
        "bank-return" => {
            let fact = bank_return(
                enum_arg(a(1)?)?,
                a(2)?.parse()?,
                a(3)?.parse()?,
                a(4)?.parse()?,
                enum_arg(a(5)?)?,
                today,
            );
            connect("bank").await?.publish(&fact).await?
        }
        "flag" => {
            let fact = flagged_household(a(1)?, a(2)?, enum_arg(a(3)?)?, today)?;
            connect("rural").await?.publish(&fact).await?
        }
        "feed" => {
            let partner = connect(a(1)?).await?;
            let max = args.get(2).map(|m| m.parse()).transpose()?.unwrap_or(10);
            let wait = args.get(3).map(|w| w.parse()).transpose()?.unwrap_or(5);
            for message in partner.read_feed(max, Duration::from_secs(wait)).await? {
                println!("{}", serde_json::to_string(&message)?);
            }
            return Ok(());
        }
        "id-number" => synthetic_id_number(a(1)?, date(a(2)?)?, a(3)?.parse()?),
        "help" | "-h" | "--help" => {
            print!("{HELP}");
            return Ok(());
        }
        other => bail!("unknown command {other}\n\n{HELP}"),
    };
    println!("{id}");
    Ok(())
}
