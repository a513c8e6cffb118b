//! Loading the reference data (division codes, parks, industry codes) with its source and date.

use crate::db::{Db, Ex};
use crate::industries;
use crate::regions::load;
use crate::{q_exec, q_scalar};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Source {
    pub dataset: String,
    pub source: String,
    pub as_of: String,
    pub row_count: i64,
}

/// Where each reference data set came from, for display beside the data.
pub async fn sources(ex: &mut Ex<'_>) -> Result<Vec<Source>, sqlx::Error> {
    crate::q_as!(ex, fetch_all, Source, "SELECT dataset, source, as_of, row_count FROM reference_data ORDER BY dataset")
}

pub struct Loaded {
    pub regions: usize,
    pub industries: usize,
}

async fn note_source(
    ex: &mut Ex<'_>,
    dataset: &str,
    source: &str,
    as_of: &str,
    rows: usize,
) -> Result<(), sqlx::Error> {
    q_exec!(
        ex,
        "INSERT INTO reference_data (dataset, source, as_of, row_count, loaded_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (dataset) DO UPDATE SET source = excluded.source, as_of = excluded.as_of,
           row_count = excluded.row_count, loaded_at = excluded.loaded_at",
        dataset,
        source,
        as_of,
        rows as i64,
        time::OffsetDateTime::now_utc()
    )?;
    Ok(())
}

/// Loads the given CSV texts (or the embedded ones) in one transaction: all or nothing.
pub async fn load(
    db: &Db,
    regions_csv: Option<(&str, &str, &str)>,
    industries_csv: Option<(&str, &str, &str)>,
) -> anyhow::Result<Loaded> {
    let (rtext, rsource, ras_of) =
        regions_csv.unwrap_or((load::REGIONS_CSV, load::REGIONS_SOURCE, load::REGIONS_AS_OF));
    let (itext, isource, ias_of) =
        industries_csv.unwrap_or((industries::model::CSV, industries::model::SOURCE, industries::model::AS_OF));
    let regions = load::parse_csv(rtext).map_err(|e| anyhow::anyhow!("区划数据有误：\n{}", e.join("\n")))?;
    let inds = industries::model::parse_csv(itext).map_err(|e| anyhow::anyhow!("行业数据有误：\n{}", e.join("\n")))?;
    let mut tx = db.begin().await?;
    let n = load::load_regions(&mut tx.ex(), &regions, false).await?;
    note_source(&mut tx.ex(), "regions", rsource, ras_of, n).await?;
    for i in &inds {
        industries::store::upsert(&mut tx.ex(), i).await?;
    }
    note_source(&mut tx.ex(), "industries", isource, ias_of, inds.len()).await?;
    crate::audit::record(
        &mut tx.ex(),
        &crate::audit::Actor::system(),
        crate::audit::Change {
            action: "reference.load",
            entity: "reference_data",
            entity_id: "regions+industries".into(),
            region: None,
            before: None,
            after: Some(serde_json::json!({"regions": {"source": rsource, "as_of": ras_of, "rows": n},
                "industries": {"source": isource, "as_of": ias_of, "rows": inds.len()}})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Loaded { regions: n, industries: inds.len() })
}

/// On first start the tables are empty: fill them from the embedded files.
pub async fn ensure_loaded(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.conn().await?;
    let n = q_scalar!(&mut conn.ex(), fetch_one, i64, "SELECT count(*) FROM reference_data")?;
    drop(conn);
    if n == 0 {
        let l = load(db, None, None).await?;
        tracing::info!(regions = l.regions, industries = l.industries, "reference data loaded");
    }
    Ok(())
}
