#include "core/model/trainer_data.h"

namespace gradscope::core {

template <typename T>
std::shared_ptr<const TrainerData<T>> makeTrainerData(const Dataset& train,
                                                      const Dataset& validation) {
  auto data = std::make_shared<TrainerData<T>>();
  data->trainX = train.inputs.cast<T>();
  data->trainY = train.targets.cast<T>();
  if (validation.sampleCount() > 0) {
    data->validX = validation.inputs.cast<T>();
    data->validY = validation.targets.cast<T>();
  }
  return data;
}

template std::shared_ptr<const TrainerData<float>> makeTrainerData<float>(const Dataset&,
                                                                          const Dataset&);
template std::shared_ptr<const TrainerData<double>> makeTrainerData<double>(const Dataset&,
                                                                            const Dataset&);

}  // namespace gradscope::core
