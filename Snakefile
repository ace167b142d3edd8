from snakemake.utils import min_version

min_version("9.0")


report: "workflow/report/workflow.rst"


# The bundled sample, unless config files are given (--configfile): those stand on their own, on top of
# the schema's NorELMo defaults, and are never merged into the sample's settings.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/download.smk"
include: "workflow/rules/extract.smk"
include: "workflow/rules/udpipe.smk"
include: "workflow/rules/tokenize.smk"
include: "workflow/rules/vocab.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/export.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/report.smk"


# On a cluster these run where snakemake itself runs: compute nodes often cannot reach the internet.
localrules:
    all,
    download,


rule all:
    default_target: True
    input:
        f"{RESULTS}/model/model.hdf5",
        f"{RESULTS}/model/options.json",
        f"{RESULTS}/model/vocab.txt",
        f"{RESULTS}/model.zip",
        f"{RESULTS}/vocab/rank-frequency.png",
        f"{RESULTS}/train/loss.png",
        evaluations(),
        f"{RESULTS}/report/summary.html",
